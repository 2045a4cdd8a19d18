package ipdetect

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestParseAddressBody(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // address, or "" on error
		err        string
	}{
		{"v4", "203.0.113.7", "203.0.113.7", ""},
		{"v6", "2001:db8::7", "2001:db8::7", ""},
		{"v6 upper case", "2001:DB8::7\n", "2001:db8::7", ""},
		{"whitespace", " \t\r\n203.0.113.7\r\n\n", "203.0.113.7", ""},
		{"empty", "", "", "answer is empty"},
		{"only whitespace", " \n\t ", "", "answer is empty"},
		{"html", "<!DOCTYPE html>\n<html><body>203.0.113.7</body></html>", "", "answer is an HTML page, not an address"},
		{"html fragment", "<p>203.0.113.7</p>", "", "HTML page"},
		{"html after text", "oops <HTML><body>x</body></HTML>", "", "HTML page"},
		{"two addresses", "203.0.113.7 198.51.100.9", "", "answer holds 2 addresses, want exactly one"},
		{"two lines", "203.0.113.7\n2001:db8::7\n", "", "holds 2 addresses"},
		{"address and text", "your ip: 203.0.113.7", "", "is not a single address"},
		{"json", `{"ip":"203.0.113.7"}`, "", "not an IP address"},
		{"cidr", "203.0.113.7/32", "", "not an IP address"},
		{"zone", "fe80::1%eth0", "", "zone"},
		{"long garbage", strings.Repeat("x", 1000), "", "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddressBody([]byte(tt.body))
			wantErr(t, err, tt.err)
			if tt.err == "" && got != netip.MustParseAddr(tt.want) {
				t.Fatalf("got %v, want %s", got, tt.want)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Fatalf("error is too long: %d bytes", len(err.Error()))
			}
		})
	}
}

func TestURLSource(t *testing.T) {
	ctx := context.Background()
	lookup := func(t *testing.T, rawURL string, f controller.Family) (netip.Addr, error) {
		t.Helper()
		s, err := ParseSource("url:" + rawURL)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name() != "url:"+rawURL {
			t.Fatalf("Name() = %q", s.Name())
		}
		return s.Lookup(ctx, f)
	}
	t.Run("ok", func(t *testing.T) {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.UserAgent() != "flarewarden" {
				t.Errorf("User-Agent %q", r.UserAgent())
			}
			_, _ = w.Write([]byte("203.0.113.7\n"))
		}))
		got, err := lookup(t, srv.URL+"/ip", controller.IPv4)
		if err != nil || got != netip.MustParseAddr("203.0.113.7") {
			t.Fatalf("Lookup = %v, %v", got, err)
		}
	})
	t.Run("ipv6", func(t *testing.T) {
		srv := newServer6(t, textHandler(200, "2001:db8::7"))
		got, err := lookup(t, srv.URL+"/ip", controller.IPv6)
		if err != nil || got != netip.MustParseAddr("2001:db8::7") {
			t.Fatalf("Lookup = %v, %v", got, err)
		}
	})
	t.Run("status", func(t *testing.T) {
		srv := newServer(t, textHandler(503, "203.0.113.7"))
		_, err := lookup(t, srv.URL+"/ip", controller.IPv4)
		if err == nil || err.Error() != "url:"+srv.URL+"/…: HTTP 503" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("html", func(t *testing.T) {
		srv := newServer(t, textHandler(200, "<html><body>captive portal</body></html>"))
		_, err := lookup(t, srv.URL+"/ip", controller.IPv4)
		wantErr(t, err, "url:"+srv.URL+"/…: answer is an HTML page, not an address")
	})
	t.Run("body too large", func(t *testing.T) {
		srv := newServer(t, textHandler(200, strings.Repeat(" ", maxBody)+"203.0.113.7"))
		_, err := lookup(t, srv.URL+"/ip", controller.IPv4)
		wantErr(t, err, "larger than 64 KiB")
	})
	t.Run("redirect followed", func(t *testing.T) {
		target := newServer(t, textHandler(200, "203.0.113.8"))
		srv := newServer(t, http.RedirectHandler(target.URL+"/real", http.StatusMovedPermanently))
		got, err := lookup(t, srv.URL+"/ip", controller.IPv4)
		if err != nil || got != netip.MustParseAddr("203.0.113.8") {
			t.Fatalf("Lookup = %v, %v", got, err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		srv := newServer(t, textHandler(200, "203.0.113.7"))
		srv.Close()
		_, err := lookup(t, srv.URL+"/ip", controller.IPv4)
		wantErr(t, err, "url:"+srv.URL+"/…: ")
		if strings.Contains(err.Error(), `Get "`) {
			t.Fatalf("error repeats the URL: %v", err)
		}
	})
}
