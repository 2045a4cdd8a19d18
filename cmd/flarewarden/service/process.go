package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/providers/leader"
	"github.com/flarewarden/flarewarden/providers/metrics"
)

// Elect runs a leader election (leader.Run, or a test's double).
type Elect func(ctx context.Context, c leader.Config, lead func(context.Context), onChange func(isLeader bool, leader string)) error

// RunElected campaigns for the Lease (with elect: leader.Run) and runs the supervised daemon only
// while leading; state and the leader gauge follow the election. A daemon
// that fails for good (a rejected token) ends the run with its error.
// The daemon's passes run on lead's context, which carries the leadership
// term: the Cloudflare client's leader.Transport (cmd/flarewarden wires it)
// sends no request once the term is over, even before the context's
// cancellation has reached the pass (e.g. right after the process was paused).
func RunElected(ctx context.Context, elect Elect, lc leader.Config, sup *Supervisor, state *RunState, m *metrics.Metrics) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	lead := func(lctx context.Context) {
		if err := sup.Run(lctx); err != nil {
			cancel(err)
		}
	}
	onChange := func(isLeader bool, holder string) {
		state.SetLeader(isLeader, holder)
		m.SetLeader(isLeader)
		sup.Log.Info("leader changed", zap.Bool("is_leader", isLeader), zap.String("leader", holder))
	}
	if err := elect(ctx, lc, lead, onChange); err != nil {
		return err
	}
	if err := context.Cause(ctx); ctx.Err() != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Background is an HTTP server running in the background (or none).
type Background struct {
	done sync.WaitGroup
	err  error
}

// ServeInBackground serves h on ln (Serve) until ctx ends; a server that
// fails while serving calls fail.
func ServeInBackground(ctx context.Context, ln net.Listener, h http.Handler, log *zap.Logger, fail func()) *Background {
	b := &Background{}
	b.done.Go(func() {
		if b.err = Serve(ctx, ln, h, log); b.err != nil {
			fail()
		}
	})
	return b
}

// Wait waits for the server to stop and returns its error; a nil
// Background has none.
func (b *Background) Wait() error {
	if b == nil {
		return nil
	}
	b.done.Wait()
	return b.err
}

// LogLevel is log.level, or levelOverride (--log-level) when set.
func LogLevel(cfg config.Log, levelOverride string) (zapcore.Level, error) {
	name := cfg.Level
	if levelOverride != "" {
		name = levelOverride
	}
	level, err := zapcore.ParseLevel(name)
	if err != nil {
		return level, fmt.Errorf("log level: %w", err)
	}
	return level, nil
}

// NewLogger builds a logger of the process writing to w in format (json
// or console) at level.
func NewLogger(w io.Writer, format string, level zapcore.LevelEnabler) *zap.Logger {
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	var encoder zapcore.Encoder = zapcore.NewJSONEncoder(enc)
	if format == "console" {
		encoder = zapcore.NewConsoleEncoder(enc)
	}
	return zap.New(zapcore.NewCore(encoder, zapcore.AddSync(w), level))
}

// LogFormat resolves log.format for a process writing its logs to stderr:
// "auto" is console when stderr is a terminal (a person runs a command)
// and json otherwise (a service manager, a container runtime); json and
// console are kept as they are.
func LogFormat(format string, stderr io.Writer) string {
	if format != "auto" {
		return format
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "console"
	}
	return "json"
}
