package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// entrypointRewriter serves the simulator, rewriting the result of its
// custom rules entrypoint GET with rewrite when one is set.
type entrypointRewriter struct {
	next    http.Handler
	rewrite atomic.Pointer[func(result map[string]any)]
}

func (e *entrypointRewriter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := e.rewrite.Load()
	if f == nil || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/phases/http_request_firewall_custom/entrypoint") {
		e.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	e.next.ServeHTTP(rec, r)
	var env map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if result, ok := env["result"].(map[string]any); ok {
		(*f)(result)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.Code)
	_ = json.NewEncoder(w).Encode(env)
}

// rewriteEntrypoint puts an entrypointRewriter in front of the world's
// simulator and points the config at it.
func (w *wafWorld) rewriteEntrypoint() *entrypointRewriter {
	w.t.Helper()
	rw := &entrypointRewriter{next: w.sim}
	orig := w.api
	w.t.Cleanup(orig.Close)
	w.api = httptest.NewServer(rw)
	w.setWAF(defaultWAF)
	return rw
}

// TestWAFEntrypointWithoutRulesIsRefused serves the zone's entrypoint with
// "rules": null, or without rules in an answer that lost its phase and
// version too. Read as empty, the pass would post a second copy of the
// skip rule; it must refuse the answer with an error naming the zone and
// the field, write nothing to the zone's WAF, and still reconcile DNS.
func TestWAFEntrypointWithoutRulesIsRefused(t *testing.T) {
	tests := map[string]func(result map[string]any){
		"rules null":    func(m map[string]any) { m["rules"] = nil },
		"rules missing": func(m map[string]any) { delete(m, "rules"); delete(m, "version"); delete(m, "phase") },
	}
	for name, rewrite := range tests {
		t.Run(name, func(t *testing.T) {
			w := newWAFWorld(t)
			rw := w.rewriteEntrypoint()
			if r := w.run("reconcile"); r.code != 0 {
				t.Fatalf("first pass exit %d\n%s", r.code, r.stderr)
			}
			rw.rewrite.Store(&rewrite)
			w.publicIP.Store("203.0.113.8")
			w.dns.Set("scripts.example.net", "192.0.2.11")
			w.setWAF(strings.Replace(defaultWAF, "sources: [198.51.100.50]}", "sources: [198.51.100.51]}", 1))
			w.sim.ResetLog()
			r := w.run("reconcile")
			for _, wr := range w.writes() {
				if strings.Contains(wr, "/rulesets/") || strings.Contains(wr, "/access_rules") {
					t.Errorf("wrote %s to the zone's WAF after a malformed entrypoint answer", wr)
				}
			}
			if r.code != exitError || !strings.Contains(r.stderr, "read custom rules in zone example.com") ||
				!strings.Contains(r.stderr, `"rules"`) {
				t.Errorf("exit %d, want 1 with an error naming the zone and the rules field\n%s", r.code, r.stderr)
			}
			if got := w.customRules(); len(got) != 3 || got[0] != "flarewarden_scripts" {
				t.Errorf("custom rules = %v, want the skip rule once, first", got)
			}
			if w.record("home.example.com", "A") != "203.0.113.8" {
				t.Error("DNS was not reconciled beside the refused WAF answer")
			}
			w.assertForeignNeverSent()
			w.assertForeignUnchanged()
		})
	}
}
