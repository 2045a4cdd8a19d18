package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
)

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
func (c *cli) reloadTriggers(ctx context.Context, hups <-chan struct{}, ver *service.ConfigVersion, log *zap.Logger) <-chan string {
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
		poll = service.DefaultConfigPoll
	}
	go service.PollFile(ctx, ver, poll, func() { send("config file changed") }, log)
	return out
}
