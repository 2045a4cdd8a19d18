package config

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"
)

func TestServerDefaults(t *testing.T) {
	c, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Listen != DefaultListen || time.Duration(c.Server.ReadyGrace) != 15*time.Minute {
		t.Fatalf("server defaults: %+v", c.Server)
	}
}

func TestServerListenEmptyDisables(t *testing.T) {
	c, err := Parse([]byte(minimal + "server: {listen: \"\", token_file: /run/t, ready_grace: 1m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Listen != "" || c.Server.TokenFile != "/run/t" || time.Duration(c.Server.ReadyGrace) != time.Minute {
		t.Fatalf("server: %+v", c.Server)
	}
}

func TestServerInvalid(t *testing.T) {
	_, err := Parse([]byte(minimal + "server: {listen: nope, ready_grace: -1s}\n"))
	if err == nil || !strings.Contains(err.Error(), "server.listen") || !strings.Contains(err.Error(), "server.ready_grace") {
		t.Fatalf("want errors naming server.listen and server.ready_grace, got %v", err)
	}
	_, err = Parse([]byte(minimal + "server: {listen: 'badhost:9090'}\n"))
	if err == nil || !strings.Contains(err.Error(), `server.listen: host "badhost" must be an IP address`) {
		t.Fatalf("listen on a host name: %v", err)
	}
	for _, ok := range []string{":9090", "0.0.0.0:9090", "[::1]:9090", "localhost:9090"} {
		if _, err := Parse([]byte(minimal + "server: {listen: '" + ok + "'}\n")); err != nil {
			t.Errorf("listen %s: %v", ok, err)
		}
	}
}

func TestServerRequireTokenParses(t *testing.T) {
	c, err := Parse([]byte(minimal + "server: {token_file: /run/t, require_token: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Server.RequireToken {
		t.Fatalf("server: %+v", c.Server)
	}
	c, err = Parse([]byte(minimal))
	if err != nil || c.Server.RequireToken {
		t.Fatalf("require_token must default to false: %+v %v", c.Server, err)
	}
}

// ResolveToken is what `config validate` and `run` share: a token file the
// service cannot read, or an empty one, must fail validation (under systemd a
// root-only file is unreadable to the DynamicUser), not only the start.
func TestServerResolveToken(t *testing.T) {
	read := readFiles(map[string]string{"/etc/t": "  tok-etc\n", "/cred/t": "tok-cred\n", "/empty": " \n"}, fs.ErrPermission)
	none := env(nil)
	tests := []struct {
		name      string
		srv       Server
		env       Env
		want      string
		wantFile  string
		wantError string
	}{
		{"no token file", Server{Listen: DefaultListen}, none, "", "", ""},
		{"token file", Server{Listen: DefaultListen, TokenFile: "/etc/t"}, none, "tok-etc", "/etc/t", ""},
		{"env overrides the file", Server{Listen: DefaultListen, TokenFile: "/etc/t"},
			env(map[string]string{EnvServerTokenFile: "/cred/t"}), "tok-cred", "/cred/t", ""},
		{"env alone", Server{Listen: DefaultListen, RequireToken: true},
			env(map[string]string{EnvServerTokenFile: "/cred/t"}), "tok-cred", "/cred/t", ""},
		{"unreadable", Server{Listen: DefaultListen, TokenFile: "/root-only"}, none, "", "",
			"server.token_file: read token file: open /root-only: permission denied"},
		{"unreadable from env", Server{Listen: DefaultListen},
			env(map[string]string{EnvServerTokenFile: "/root-only"}), "", "", EnvServerTokenFile + ": read token file"},
		{"empty", Server{Listen: DefaultListen, TokenFile: "/empty"}, none, "", "", "server.token_file: token file /empty is empty"},
		{"require_token without a file", Server{Listen: DefaultListen, RequireToken: true}, none, "", "",
			"server.require_token: needs server.token_file"},
		{"endpoint disabled", Server{TokenFile: "/root-only", RequireToken: true}, none, "", "/root-only", ""},
	}
	for _, tt := range tests {
		srv := tt.srv
		tok, err := srv.ResolveToken(tt.env, read)
		switch {
		case tt.wantError != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantError)
			}
			if tt.name == "unreadable" && !errors.Is(err, fs.ErrPermission) {
				t.Errorf("%s: %v does not wrap the read error", tt.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tok != tt.want || srv.TokenFile != tt.wantFile:
			t.Errorf("%s: token %q file %q, want %q %q", tt.name, tok, srv.TokenFile, tt.want, tt.wantFile)
		}
	}
}

func TestServerRestartNeeded(t *testing.T) {
	base := Server{Listen: "127.0.0.1:9090", TokenFile: "/run/t", ReadyGrace: Duration(time.Minute)}
	for _, tc := range []struct {
		name string
		edit func(*Server)
		want bool
	}{
		{"same", func(*Server) {}, false},
		{"ready_grace", func(s *Server) { s.ReadyGrace = Duration(time.Hour) }, false},
		{"listen", func(s *Server) { s.Listen = ":9091" }, true},
		{"token_file", func(s *Server) { s.TokenFile = "/run/u" }, true},
		{"require_token", func(s *Server) { s.RequireToken = true }, true},
	} {
		next := base
		tc.edit(&next)
		if got := base.RestartNeeded(next); got != tc.want {
			t.Errorf("%s: RestartNeeded = %t, want %t", tc.name, got, tc.want)
		}
	}
}
