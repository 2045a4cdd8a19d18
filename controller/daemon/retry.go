package daemon

import (
	"context"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/retry"
)

// RetrySoft runs op until it succeeds, fails with a hard error, or ctx is
// cancelled, waiting b's backoff between soft failures (see IsSoft), or
// longer when the error asks for it (see RetryDelay). It returns op's last
// error, or ctx's error when cancelled. The daemon uses it at start, when
// the network may not be up yet.
func RetrySoft(ctx context.Context, b Backoff, log *zap.Logger, what string, op func(context.Context) error) error {
	for n := 1; ; n++ {
		err := op(ctx)
		if err == nil || !controller.IsSoft(err) {
			return err
		}
		d := max(b.delay(n), controller.RetryDelay(err))
		log.Warn("start-up step failed, retrying", zap.String("step", what), zap.Error(err), zap.Duration("in", d))
		if err := retry.Sleep(ctx, d); err != nil {
			return err
		}
	}
}
