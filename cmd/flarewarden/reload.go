package main

import (
	"context"
	"crypto/sha256"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// defaultConfigPoll is how often the config file is checked for changes.
const defaultConfigPoll = 3 * time.Second

// catchHangups starts catching SIGHUP, unless a test injects c.reload,
// and returns a channel that receives one value per hangup (coalesced
// while unread) and a stop function. run calls it before anything else,
// so that a SIGHUP during start-up becomes a reload once the daemon runs
// instead of the signal's default action, which ends the process.
func (c *cli) catchHangups() (hups <-chan struct{}, stop func()) {
	if c.reload != nil {
		return c.reload, func() {}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	out := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-sig:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out, func() { signal.Stop(sig); close(done) }
}

// reloadTriggers returns a channel that carries the reason of each config
// reload due: a hangup from hups and changes of the config file from the
// version the running config was read from (see configVersion). Triggers that
// arrive while one is pending coalesce.
func (c *cli) reloadTriggers(ctx context.Context, hups <-chan struct{}, ver *configVersion, log *zap.Logger) <-chan string {
	out := make(chan string, 1)
	send := func(why string) {
		select {
		case out <- why:
		default:
		}
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hups:
				send("sighup")
			}
		}
	}()
	poll := c.configPoll
	if poll == 0 {
		poll = defaultConfigPoll
	}
	go pollFile(ctx, ver, poll, func() { send("config file changed") }, log)
	return out
}

// fileVersion identifies a config file's content: the path its symlinks
// resolve to (a Kubernetes ConfigMap swaps a "..data" symlink) and the
// hash of its content.
type fileVersion struct {
	resolved string
	hash     [sha256.Size]byte
}

func readVersion(path string) (fileVersion, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fileVersion{}, err
	}
	b, err := os.ReadFile(resolved)
	if err != nil {
		return fileVersion{}, err
	}
	return fileVersion{resolved: resolved, hash: sha256.Sum256(b)}, nil
}

// configVersion is the version of the config file that the running, or
// loading, config was read from. The poll and the loads share it, so that
// a change a SIGHUP has already loaded is not loaded a second time by the
// poll. Safe for concurrent use.
type configVersion struct {
	path string
	mu   sync.Mutex
	v    fileVersion // zero: unknown (the file could not be read)
}

// newConfigVersion reads the file's version now, before it is loaded: an
// edit made while loading is then seen as a change.
func newConfigVersion(path string) *configVersion {
	c := &configVersion{path: path}
	c.refresh()
	return c
}

// refresh records the file's current version; a load calls it first.
func (c *configVersion) refresh() {
	if v, err := readVersion(c.path); err == nil {
		c.changedTo(v)
	}
}

// changedTo records v and reports whether it differs from the version
// recorded before.
func (c *configVersion) changedTo(v fileVersion) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v == c.v {
		return false
	}
	c.v = v
	return true
}

// pollFile calls changed each time the config file resolves elsewhere or
// its content changes from the version ver recorded last, checking every
// interval until ctx ends. A file that cannot be read is logged once and
// checked again later.
func pollFile(ctx context.Context, ver *configVersion, interval time.Duration, changed func(), log *zap.Logger) {
	failing := false
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := readVersion(ver.path)
		if err != nil {
			if !failing {
				log.Warn("config file not readable, keeping the running config", zap.String("path", ver.path), zap.Error(err))
			}
			failing = true
			continue
		}
		failing = false
		if ver.changedTo(v) {
			changed()
		}
	}
}
