//go:build !linux

package netwatch

import (
	"context"
	"fmt"
	"runtime"
)

// Watch is not supported on this system: it returns an error at once.
func Watch(_ context.Context, _ []string, _ func()) error {
	return fmt.Errorf("netwatch: watching interface addresses is not supported on %s", runtime.GOOS)
}
