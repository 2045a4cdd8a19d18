package config

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// readFiles is a readFile over files: a name not in it fails as open does,
// with an *fs.PathError wrapping missing.
func readFiles(files map[string]string, missing error) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if v, ok := files[name]; ok {
			return []byte(v), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: missing}
	}
}

func TestReadTokenFile(t *testing.T) {
	read := readFiles(map[string]string{"/t": "\t tok-1 \r\n", "/bare": "tok-2", "/blank": " \n\t"}, fs.ErrPermission)
	tests := []struct {
		name, field, path string
		want, wantErr     string
	}{
		{"trimmed", "a.token_file", "/t", "tok-1", ""},
		{"as is", "a.token_file", "/bare", "tok-2", ""},
		{"blank", "SOME_ENV", "/blank", "", "SOME_ENV: token file /blank is empty"},
		{"unreadable", "a.token_file", "/root-only", "", "a.token_file: read token file: open /root-only: permission denied"},
	}
	for _, tt := range tests {
		got, err := readTokenFile(tt.field, tt.path, read)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: token %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := readTokenFile("f", "/root-only", read); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("%v does not wrap the read error", err)
	}
}

// The cloudflare token and the server token are read alike: their errors
// differ only in the field named.
func TestTokenFileErrorsAgree(t *testing.T) {
	read := readFiles(map[string]string{"/blank": " \n"}, fs.ErrNotExist)
	for _, path := range []string{"/blank", "/missing"} {
		c := &Config{Cloudflare: Cloudflare{APITokenFile: path}}
		_, cfErr := ApplyEnv(c, env(nil), read)
		srv := Server{Listen: DefaultListen, TokenFile: path}
		_, srvErr := srv.ResolveToken(env(nil), read)
		if cfErr == nil || srvErr == nil {
			t.Fatalf("%s: errors %v, %v; want both", path, cfErr, srvErr)
		}
		cf := strings.TrimPrefix(cfErr.Error(), "cloudflare.api_token_file: ")
		sv := strings.TrimPrefix(srvErr.Error(), "server.token_file: ")
		if cf != sv {
			t.Errorf("%s: %q and %q differ", path, cfErr, srvErr)
		}
	}
}

// A token with a line break, a stray CR, a space or a control character
// inside is refused where it is read, naming where it came from and what is
// wrong, never the token.
func TestMalformedTokenRefused(t *testing.T) {
	const secret1, secret2 = "tokpartONE9x", "tokpartTWO7y"
	for _, tc := range []struct {
		name, env, file, want string
	}{
		{name: "file with two lines", file: secret1 + "\n" + secret2 + "\n",
			want: "CLOUDFLARE_API_TOKEN_FILE: token file /tok: malformed token: it holds a line break inside"},
		{name: "file with CRLF inside", file: secret1 + "\r\n" + secret2,
			want: "CLOUDFLARE_API_TOKEN_FILE: token file /tok: malformed token: it holds a carriage return inside"},
		{name: "env with a stray CR", env: secret1 + "\r" + secret2,
			want: "CLOUDFLARE_API_TOKEN: malformed token: it holds a carriage return inside"},
		{name: "env with a space", env: secret1 + " " + secret2,
			want: "CLOUDFLARE_API_TOKEN: malformed token: it holds a space inside"},
		{name: "file with a byte order mark", file: "\ufeff" + secret1 + secret2,
			want: "CLOUDFLARE_API_TOKEN_FILE: token file /tok: malformed token: it holds a non-ASCII character"},
		{name: "env with NUL", env: secret1 + "\x00" + secret2,
			want: "CLOUDFLARE_API_TOKEN: malformed token: it holds a control character inside"},
	} {
		vars := map[string]string{}
		if tc.env != "" {
			vars[EnvToken] = tc.env
		} else {
			vars[EnvTokenFile] = "/tok"
		}
		read := func(string) ([]byte, error) { return []byte(tc.file), nil }
		tok, err := ApplyEnv(&Config{}, env(vars), read)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || tok != "" {
			t.Errorf("%s: token %q, err %v; want %q", tc.name, tok, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), secret1) || strings.Contains(err.Error(), secret2) {
			t.Errorf("%s: error shows the token: %v", tc.name, err)
		}
	}
	if tok, err := ApplyEnv(&Config{}, env(map[string]string{EnvToken: " " + secret1 + "\r\n"}), nil); err != nil || tok != secret1 {
		t.Errorf("surrounding white space: token %q, %v; want it trimmed", tok, err)
	}
}
