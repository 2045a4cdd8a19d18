package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/render"
	"github.com/flarewarden/flarewarden/controller"
)

// diagnose runs the health check as `flarewarden check` does, prints the
// diagnosis, and fails unless its class is want. An empty want skips it.
func (e *demoEnv) diagnose(ctx context.Context, w io.Writer, a flarewarden, want controller.Class, when string) error {
	if want == "" {
		return nil
	}
	results, err := a.check(ctx)
	if err != nil {
		return fmt.Errorf("diagnosis %s: %w", when, err)
	}
	fmt.Fprintf(render.Indent(w), "flarewarden check, %s:\n", when)
	for _, res := range results {
		render.Site(render.Indent(render.Indent(w)), res)
		if res.Class() != want {
			return fmt.Errorf("diagnosis %s is %s, want %s", when, res.Class(), want)
		}
	}
	fmt.Fprintln(w)
	return nil
}

// stopOrigin stops the home web server: the edge and the origin probe
// then meet a refused connection at the public IP.
func (e *demoEnv) stopOrigin() error {
	e.stopHome()
	return nil
}
