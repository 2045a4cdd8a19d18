package service

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"
)

// DefaultConfigPoll is how often the config file is checked for changes.
const DefaultConfigPoll = 3 * time.Second

// FileVersion identifies a config file's content: the path its symlinks
// resolve to (a Kubernetes ConfigMap swaps a "..data" symlink) and the
// hash of its content.
type FileVersion struct {
	resolved string
	hash     [sha256.Size]byte
}

// ReadVersion reads the version of the file at path: its resolved path
// and the hash of its content.
func ReadVersion(path string) (FileVersion, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return FileVersion{}, err
	}
	b, err := os.ReadFile(resolved)
	if err != nil {
		return FileVersion{}, err
	}
	return FileVersion{resolved: resolved, hash: sha256.Sum256(b)}, nil
}

// ConfigVersion is the version of the config file that the running, or
// loading, config was read from. The poll and the loads share it, so that
// a change a SIGHUP has already loaded is not loaded a second time by the
// poll. Safe for concurrent use.
type ConfigVersion struct {
	path string
	mu   sync.Mutex
	v    FileVersion // zero: unknown (the file could not be read)
}

// NewConfigVersion reads the file's version now, before it is loaded: an
// edit made while loading is then seen as a change.
func NewConfigVersion(path string) *ConfigVersion {
	c := &ConfigVersion{path: path}
	c.Refresh()
	return c
}

// Refresh records the file's current version; a load calls it first.
func (c *ConfigVersion) Refresh() {
	if v, err := ReadVersion(c.path); err == nil {
		c.ChangedTo(v)
	}
}

// ChangedTo records v and reports whether it differs from the version
// recorded before.
func (c *ConfigVersion) ChangedTo(v FileVersion) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v == c.v {
		return false
	}
	c.v = v
	return true
}

// PollFile calls changed each time the config file resolves elsewhere or
// its content changes from the version ver recorded last, checking every
// interval until ctx ends. A file that cannot be read is logged once and
// checked again later. An empty path (the configuration comes from the
// environment) is not polled.
func PollFile(ctx context.Context, ver *ConfigVersion, interval time.Duration, changed func(), log *zap.Logger) {
	if ver.path == "" {
		return
	}
	failing := false
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := ReadVersion(ver.path)
		if err != nil {
			if !failing {
				log.Warn("config file not readable, keeping the running config", zap.String("path", ver.path), zap.Error(err))
			}
			failing = true
			continue
		}
		failing = false
		if ver.ChangedTo(v) {
			changed()
		}
	}
}
