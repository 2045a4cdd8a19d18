package main

import (
	"context"
	"strings"
	"testing"
)

// favoniaEnv is a favonia/cloudflare-ddns setup pointed at the scenario's
// simulator and IP echo service: no config file.
func (w *world) favoniaEnv() map[string]string {
	return map[string]string{
		"CLOUDFLARE_API_TOKEN":    testToken,
		"CLOUDFLARE_API_BASE_URL": w.api.URL + "/client/v4",
		"DOMAINS":                 "vpn.example.com, www.example.com home.example.com",
		"IP4_PROVIDER":            "url:" + w.ip.URL + "/ip",
		"IP6_PROVIDER":            "static:2001:db8::10",
		"HEALTHCHECKS":            w.ip.URL + "/ping/secret-uuid",
	}
}

// runEnv runs flarewarden with env as its whole environment.
func (w *world) runEnv(env map[string]string, args ...string) result {
	w.t.Helper()
	var out, errOut safeBuffer
	code := execute(context.Background(), args, &out, &errOut, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	r := result{code: code, stdout: out.String(), stderr: errOut.String()}
	w.assertNoToken(testToken, r.stdout, r.stderr)
	return r
}

// A favonia user switches by the image's name: the same variables, no
// config file, and reconcile writes A and AAAA at every name, adopting the
// hand-made record and leaving the CNAME alone (favonia never replaces one).
func TestEnvOnlyConfigReconciles(t *testing.T) {
	w := newWorld(t)
	env := w.favoniaEnv()
	r := w.runEnv(env, "config", "validate")
	if r.code != exitOK || !strings.Contains(r.stdout, "- name: vpn.example.com") ||
		!strings.Contains(r.stdout, "- static:2001:db8::10") || strings.Contains(r.stdout, "secret-uuid") {
		t.Fatalf("config validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = w.runEnv(env, "reconcile"); r.code != exitOK {
		t.Fatalf("reconcile: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []struct{ name, typ, content string }{
		{"vpn.example.com", "A", "203.0.113.7"}, {"vpn.example.com", "AAAA", "2001:db8::10"},
		{"www.example.com", "A", "203.0.113.7"}, {"www.example.com", "AAAA", "2001:db8::10"},
		{"home.example.com", "CNAME", "myhome.duckdns.org"}, {"home.example.com", "A", ""},
	} {
		if got := w.record(want.name, want.typ); got != want.content {
			t.Errorf("%s %s = %q, want %q", want.name, want.typ, got, want.content)
		}
	}
	w.publicIP.Store("203.0.113.8")
	if r = w.runEnv(env, "reconcile"); r.code != exitOK || w.record("vpn.example.com", "A") != "203.0.113.8" {
		t.Errorf("second reconcile: exit %d, vpn A = %s\n%s", r.code, w.record("vpn.example.com", "A"), r.stderr)
	}
}

// A config file beside favonia's variables is refused before anything
// runs, naming the variables; so is nothing at all, naming both ways.
func TestEnvBesideConfigFileRefused(t *testing.T) {
	w := newWorld(t)
	env := w.favoniaEnv()
	env["FLAREWARDEN_CONFIG"] = w.config
	env["PROXIED"] = "true"
	for _, args := range [][]string{{"config", "validate"}, {"reconcile"}, {"run"}} {
		r := w.runEnv(env, args...)
		want := "config file " + w.config + " and settings in the environment (DOMAINS, IP4_PROVIDER, IP6_PROVIDER, PROXIED, HEALTHCHECKS): " +
			"choose one: move them into the file, or drop --config and FLAREWARDEN_CONFIG"
		if r.code != exitError || !strings.Contains(r.stderr, want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant %q", args, r.code, r.stderr, want)
		}
	}
	r := w.runEnv(map[string]string{"CLOUDFLARE_API_TOKEN": testToken}, "reconcile")
	if r.code != exitError || !strings.Contains(r.stderr, "no config file: pass --config or set FLAREWARDEN_CONFIG, or configure from the environment alone with DOMAINS") {
		t.Errorf("no config: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if reqs := w.sim.Requests(); len(reqs) != 0 {
		t.Errorf("%d requests reached Cloudflare, want 0", len(reqs))
	}
}
