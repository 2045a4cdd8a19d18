package service

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/nettest"
)

// An API that does not answer is named with the settings that point at
// it, and the token is not blamed.
func TestVerifyNamesTheUnreachableAPI(t *testing.T) {
	base := "http://" + nettest.ClosedPort(t) + "/client/v4"
	cf, err := cloudflare.New(cloudflare.Options{Token: "tok", BaseURL: base, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{}
	cfg.Cloudflare.APIBaseURL = base
	a := &App{Cfg: cfg, CF: cf, Log: zap.NewNop()}
	err = a.Verify(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not answer (set by cloudflare.api_base_url or CLOUDFLARE_API_BASE_URL; the token was not checked)") {
		t.Fatalf("Verify = %v, want the API named as unreachable", err)
	}
}
