package main

import (
	"context"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
)

// catchHangups is service.CatchHangups, unless a test injects c.reload.
func (c *cli) catchHangups() (hups <-chan struct{}, stop func()) {
	if c.reload != nil {
		return c.reload, func() {}
	}
	return service.CatchHangups()
}

// reloadTriggers is service.ReloadTriggers, polling the config file every
// c.configPoll (a test's) or service.DefaultConfigPoll.
func (c *cli) reloadTriggers(ctx context.Context, hups <-chan struct{}, ver *service.ConfigVersion, log *zap.Logger) <-chan string {
	poll := c.configPoll
	if poll == 0 {
		poll = service.DefaultConfigPoll
	}
	return service.ReloadTriggers(ctx, hups, ver, poll, log)
}
