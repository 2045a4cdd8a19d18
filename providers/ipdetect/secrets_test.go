package ipdetect

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/nettest"
)

// secretURL is a url source spec for the server at hostPort with a user,
// a password and a query key, none of which may appear in any text.
func secretURL(hostPort string) string {
	return "url:http://flareuser:s3cretpw@" + hostPort + "/ip?key=k3yvalue"
}

// wantNoSecret fails if text shows the user, password or key of secretURL.
func wantNoSecret(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range []string{"flareuser", "s3cretpw", "k3yvalue"} {
		if strings.Contains(text, s) {
			t.Errorf("%s %q shows %q", what, text, s)
		}
	}
}

func TestSourceTextsHideSecrets(t *testing.T) {
	serve := func(h http.Handler) string { return strings.TrimPrefix(newServer(t, h).URL, "http://") }
	tests := []struct {
		name    string
		sources []string
		quorum  int
		cancel  bool
	}{
		{"connection refused", []string{secretURL(nettest.ClosedPort(t))}, 1, false},
		{"no answer in time", []string{secretURL(serve(http.HandlerFunc(blockingHandler)))}, 1, false},
		{"HTTP error", []string{secretURL(serve(textHandler(503, "")))}, 1, false},
		{"rejected answer", []string{secretURL(serve(textHandler(200, "10.1.2.3")))}, 1, false},
		{"disagreement", []string{"static:203.0.113.7", secretURL(serve(textHandler(200, "198.51.100.9")))}, 2, false},
		{"detection stopped", []string{secretURL(serve(http.HandlerFunc(blockingHandler)))}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(Config{V4: FamilyConfig{Enabled: true, Sources: tt.sources, Quorum: tt.quorum}, Timeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancel {
				cancel()
			}
			defer cancel()
			r := d.Detect(ctx).V4
			if r.State != controller.StateUnknown {
				t.Fatalf("result %+v, want unknown", r)
			}
			wantNoSecret(t, "reason", r.Reason)
			for _, a := range r.Answers {
				wantNoSecret(t, "answer error", a.Err)
				wantNoSecret(t, "answer source", a.Source)
			}
		})
	}
}

func TestSourceConfigErrorsHideSecrets(t *testing.T) {
	spec := secretURL("ip.example")
	for _, sources := range [][]string{
		{spec, spec},
		{"url:ftp://flareuser:s3cretpw@ip.example/ip?key=k3yvalue"},
		{"url:http://flareuser:s3cretpw@[::1/ip?key=k3yvalue"},
	} {
		_, err := New(Config{V4: FamilyConfig{Enabled: true, Sources: sources, Quorum: 1}})
		if err == nil {
			t.Fatalf("New(%q) accepted", sources)
		}
		wantNoSecret(t, "config error", err.Error())
	}
}
