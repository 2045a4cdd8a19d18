package service

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// CatchHangups starts catching SIGHUP and returns a channel that receives
// one value per hangup (coalesced while unread) and a stop function. run
// calls it before anything else, so that a SIGHUP during start-up becomes
// a reload once the daemon runs instead of the signal's default action,
// which ends the process.
func CatchHangups() (hups <-chan struct{}, stop func()) {
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

// ReloadTriggers returns a channel that carries the reason of each config
// reload due: a hangup from hups and changes of the config file from the
// version the running config was read from (ver, polled every poll).
// Triggers that arrive while one is pending coalesce.
func ReloadTriggers(ctx context.Context, hups <-chan struct{}, ver *ConfigVersion, poll time.Duration, log *zap.Logger) <-chan string {
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
	go PollFile(ctx, ver, poll, func() { send("config file changed") }, log)
	return out
}
