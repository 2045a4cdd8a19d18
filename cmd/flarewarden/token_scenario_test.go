package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A token with a line break inside (a token file of two lines, an env value
// with a stray CR) is one clear error, at once, naming where the token came
// from: no request reaches Cloudflare, nothing is retried, not even by run.
func TestMalformedTokenFailsAtOnce(t *testing.T) {
	const one, two = "tokpartONE9x", "tokpartTWO7y"
	for _, tc := range []struct {
		name, command, envToken, file, want string
	}{
		{"file reconcile", "reconcile", "", one + "\n" + two + "\n", "CLOUDFLARE_API_TOKEN_FILE: token file "},
		{"file run", "run", "", one + "\n" + two + "\n", "CLOUDFLARE_API_TOKEN_FILE: token file "},
		{"env run", "run", one + "\r" + two, "", "CLOUDFLARE_API_TOKEN: malformed token: it holds a carriage return inside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			env := map[string]string{"FLAREWARDEN_CONFIG": w.config}
			if tc.envToken != "" {
				env["CLOUDFLARE_API_TOKEN"] = tc.envToken
			} else {
				path := filepath.Join(t.TempDir(), "token")
				writeFile(t, path, tc.file)
				env["CLOUDFLARE_API_TOKEN_FILE"] = path
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out, errOut safeBuffer
			start := time.Now()
			code := execute(ctx, []string{tc.command}, &out, &errOut, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			stderr := errOut.String()
			t.Logf("exit %d after %s, stderr:\n%s", code, time.Since(start).Round(time.Millisecond), stderr)
			if code != exitError || ctx.Err() != nil {
				t.Errorf("exit %d (context %v), want %d at once", code, ctx.Err(), exitError)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(stderr, "malformed token") != 1 {
				t.Errorf("stderr does not say %q and \"malformed token\" once", tc.want)
			}
			for _, leak := range []string{one, two} {
				if strings.Contains(stderr+out.String(), leak) {
					t.Errorf("output shows part of the token (%s)", leak)
				}
			}
			if reqs := w.sim.Requests(); len(reqs) != 0 {
				t.Errorf("%d requests reached Cloudflare, want 0 (first: %s %s)", len(reqs), reqs[0].Method, reqs[0].Path)
			}
		})
	}
}
