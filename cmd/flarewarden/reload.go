package main

import (
	"context"
	"crypto/sha256"
	"os"
	"os/signal"
	"path/filepath"
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
// reload due: a hangup from hups and changes of the config file from base,
// the version read before the running config was loaded. Triggers that
// arrive while one is pending coalesce.
func (c *cli) reloadTriggers(ctx context.Context, hups <-chan struct{}, path string, base fileVersion, log *zap.Logger) <-chan string {
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
	go pollFile(ctx, path, base, poll, func() { send("config file changed") }, log)
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

// pollFile calls changed each time the file at path resolves elsewhere or
// its content changes, checking every interval until ctx ends. The first
// check compares with base, so a change made before pollFile starts is
// seen; a zero base (version unknown) makes the first readable version a
// change. A file that cannot be read is logged once and checked again
// later.
func pollFile(ctx context.Context, path string, base fileVersion, interval time.Duration, changed func(), log *zap.Logger) {
	last, failing := base, false
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := readVersion(path)
		if err != nil {
			if !failing {
				log.Warn("config file not readable, keeping the running config", zap.String("path", path), zap.Error(err))
			}
			failing = true
			continue
		}
		failing = false
		if v != last {
			last = v
			changed()
		}
	}
}
