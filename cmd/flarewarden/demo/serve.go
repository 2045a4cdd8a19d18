package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
)

// serveUntilDone keeps flarewarden running after the story (--serve) as
// `flarewarden run` would, with a, the app of the story's last config
// (the demo's with extra merged in): a supervised daemon, a pass at start
// and then on the schedule, a health round every health.interval, until
// ctx ends. The status page shows the daemon (its RunState) and keeps the
// story's history, which the daemon's passes and rounds extend. The
// simulator, its edge, the home server and the DNS server stay up
// meanwhile (the caller closes them after). The demo triggers no reload.
// ctx's end is a clean stop (nil); a daemon that fails for good (a
// rejected token) returns its error.
func (e *demoEnv) serveUntilDone(ctx context.Context, w io.Writer, a flarewarden, extra string) error {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "flarewarden keeps running on the simulator with the story's last config, as `flarewarden run` would:")
	fmt.Fprintf(w, "a pass at start and on schedule %q, a health round every %s.\n",
		a.Cfg.Schedule, time.Duration(a.Cfg.Health.Interval))
	fmt.Fprintf(w, "status page: %s\n", e.page.URL)
	fmt.Fprintln(w, "serving until Ctrl-C")
	rebuild := func() (*service.App, error) {
		b, err := e.app(extra)
		return b.App, err
	}
	return service.NewSupervisor(a.App, rebuild, e.page.State).Run(ctx)
}
