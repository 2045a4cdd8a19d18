package netwatch_test

import (
	"context"
	"testing"

	"github.com/flarewarden/flarewarden/providers/netwatch"
)

func TestWatchWithoutNamesFails(t *testing.T) {
	if err := netwatch.Watch(context.Background(), nil, func() {}); err == nil {
		t.Fatal("Watch without interface names returned nil")
	}
}
