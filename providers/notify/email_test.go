package notify

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/flarewarden/flarewarden/controller"
)

// siteDown is a health event of a failing site.
var siteDown = controller.Event{Kind: controller.EventHealth, Host: "home.example.com", Summary: "home.example.com is failing: origin_down",
	Detail: "connection refused", Hint: "is the origin up?"}

// plainEmail is an e-mail target of s without TLS nor credentials.
func plainEmail(t *testing.T, s *smtpServer) *Email {
	return &Email{Host: "127.0.0.1", Port: s.port(t), TLS: "none", From: "flarewarden@example.com",
		To: []string{"ops@example.com", "Me <me@example.org>"}}
}

func TestEmailSendsTheEventToEveryRecipient(t *testing.T) {
	s := newSMTPServer(t, &smtpServer{}, false)
	n, _ := newTest(t, Options{Email: plainEmail(t, s)})
	if err := n.Notify(testCtx(t), siteDown); err != nil {
		t.Fatal(err)
	}
	mails, _ := s.received()
	if len(mails) != 1 {
		t.Fatalf("got %d messages, want 1", len(mails))
	}
	m := mails[0]
	want := letter{from: "flarewarden@example.com", to: []string{"ops@example.com", "me@example.org"},
		subject: "flarewarden: home.example.com is failing: origin_down",
		body:    "flarewarden: home.example.com is failing: origin_down — connection refused (hint: is the origin up?)"}
	if m.from != want.from || strings.Join(m.to, ",") != strings.Join(want.to, ",") || m.subject != want.subject ||
		strings.TrimSpace(m.body) != want.body {
		t.Errorf("message = from %q to %q subject %q body %q\nwant from %q to %q subject %q body %q",
			m.from, m.to, m.subject, m.body, want.from, want.to, want.subject, want.body)
	}
	if got := m.header.Get("From"); got != "<flarewarden@example.com>" {
		t.Errorf("From header = %q", got)
	}
	if got := m.header.Get("To"); !strings.Contains(got, "<ops@example.com>") || !strings.Contains(got, "<me@example.org>") {
		t.Errorf("To header = %q", got)
	}
}

func TestEmailIgnoresHeartbeats(t *testing.T) {
	s := newSMTPServer(t, &smtpServer{}, false)
	n, _ := newTest(t, Options{Email: plainEmail(t, s)})
	for _, k := range []controller.EventKind{controller.EventPassStart, controller.EventPassOK} {
		if err := n.Notify(testCtx(t), controller.Event{Kind: k}); err != nil {
			t.Fatal(err)
		}
	}
	if _, datas := s.received(); datas != 0 {
		t.Errorf("%d messages sent for heartbeats, want none", datas)
	}
}

func TestEmailRetriesA4xx(t *testing.T) {
	datas, warnings, err := sendRefused(t, 451)
	if datas != 2 || warnings != 1 || err != nil {
		t.Errorf("DATA %d times, %d warnings, error %v; want 2, 1, nil", datas, warnings, err)
	}
}

func TestEmailDoesNotRetryA5xx(t *testing.T) {
	datas, warnings, err := sendRefused(t, 554)
	if datas != 1 || warnings != 1 || err == nil {
		t.Fatalf("DATA %d times, %d warnings, error %v; want 1, 1, an error", datas, warnings, err)
	}
	if !strings.HasPrefix(err.Error(), "notify.email smtp://127.0.0.1:") || !strings.Contains(err.Error(), "554") {
		t.Errorf("error %q does not name the target and the reply", err)
	}
}

// sendRefused sends an event to a server that refuses the first message
// with code, and every message when code is 5xx; it returns the number of
// DATA commands, of warnings and the error.
func sendRefused(t *testing.T, code int) (datas, warnings int, err error) {
	s := newSMTPServer(t, &smtpServer{reply: func(n int) error {
		if n == 1 || code >= 500 {
			return &smtp.SMTPError{Code: code, Message: "not now"}
		}
		return nil
	}}, false)
	n, logs := newTest(t, Options{Email: plainEmail(t, s)})
	err = n.Notify(testCtx(t), siteDown)
	_, datas = s.received()
	return datas, logs.FilterMessage("notification attempt failed").Len(), err
}

func TestEmailAuthPlainOverStartTLS(t *testing.T) {
	const password = "Pa55-w0rd secret"
	s, e := authServer(t, &smtpServer{user: "alerts", pass: password}, password+"\n")
	sendOne(t, s, e)

	s.pass = "another password" // the server refuses ours now: 535, final
	n, logs := newTest(t, Options{Email: e})
	err := n.Notify(testCtx(t), siteDown)
	if err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("error = %v, want the server's 535", err)
	}
	shown := err.Error() + n.String()
	for _, l := range logs.All() {
		shown += fmt.Sprint(l.Message, l.ContextMap())
	}
	if strings.Contains(shown, password) || strings.Contains(shown, "Pa55") {
		t.Errorf("the password is shown: %s", shown)
	}
}

// A server that offers AUTH LOGIN alone (as Office 365 does) is
// authenticated with it.
func TestEmailAuthLoginWhenItIsAllTheServerOffers(t *testing.T) {
	s, e := authServer(t, &smtpServer{user: "alerts", pass: "secret", loginOnly: true}, "secret")
	sendOne(t, s, e)
	s.pass = "another password" // LOGIN was used: the server now refuses it
	n, _ := newTest(t, Options{Email: e})
	if err := n.Notify(testCtx(t), siteDown); err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("error = %v, want the server's 535 to the LOGIN", err)
	}
}

func TestEmailRefusesAnUntrustedCertificate(t *testing.T) {
	s := newSMTPServer(t, &smtpServer{}, true)
	e := &Email{Host: "127.0.0.1", Port: s.port(t), From: "fw@example.com", To: []string{"ops@example.com"}}
	n, _ := newTest(t, Options{Email: e, Retries: -1})
	if err := n.Notify(testCtx(t), siteDown); err == nil {
		t.Error("sent to a server whose certificate is not trusted")
	}
	if _, datas := s.received(); datas != 0 {
		t.Errorf("DATA %d times, want none", datas)
	}
}

func TestEmailChecks(t *testing.T) {
	files := map[string]string{"/run/secrets/smtp": "pw-s3cret\n", "/run/secrets/empty": "\n", "/run/secrets/two": "a\nb\n"}
	readFile := func(path string) ([]byte, error) {
		if b, ok := files[path]; ok {
			return []byte(b), nil
		}
		return nil, errors.New("open " + path + ": no such file or directory")
	}
	good := Email{Host: "smtp.example.com", Username: "u", PasswordFile: "/run/secrets/smtp", From: "fw@example.com",
		To: []string{"ops@example.com"}}
	tests := []struct {
		name string
		give func(e *Email)
		want []string
	}{
		{"good", func(*Email) {}, nil},
		{"implicit tls", func(e *Email) { e.TLS = "tls" }, nil},
		{"plain smtp on loopback", func(e *Email) { e.Host, e.TLS = "localhost", "none" }, nil},
		{"no host", func(e *Email) { e.Host = "" }, []string{"notify.email.host: is empty"}},
		{"host with a port", func(e *Email) { e.Host = "smtp.example.com:25" },
			[]string{`notify.email.host: "smtp.example.com:25" is not a host name or address`}},
		{"unknown tls", func(e *Email) { e.TLS = "ssl" }, []string{`notify.email.tls: "ssl" is not starttls, tls or none`}},
		{"plain smtp elsewhere", func(e *Email) { e.TLS = "none" },
			[]string{"notify.email.tls: none (plain SMTP) is allowed for a loopback host only: the password and messages would travel in clear"}},
		{"bad port", func(e *Email) { e.Port = 70000 }, []string{"notify.email.port: 70000 is not a port number"}},
		{"addresses", func(e *Email) { e.From, e.To = "", []string{"ops@example.com", "x"} },
			[]string{"notify.email.from: is empty", `notify.email.to[1]: "x" is not an e-mail address`}},
		{"no recipient", func(e *Email) { e.To = nil }, []string{"notify.email.to: is empty: list at least one address"}},
		{"no password file", func(e *Email) { e.PasswordFile = "" },
			[]string{"notify.email.password_file: is empty: username needs a password file"}},
		{"no username", func(e *Email) { e.Username = "" },
			[]string{"notify.email.username: is empty: password_file needs a username"}},
		{"missing file", func(e *Email) { e.PasswordFile = "/run/secrets/nope" },
			[]string{"notify.email.password_file: open /run/secrets/nope: no such file or directory"}},
		{"empty file", func(e *Email) { e.PasswordFile = "/run/secrets/empty" },
			[]string{"notify.email.password_file: /run/secrets/empty is empty"}},
		{"two lines", func(e *Email) { e.PasswordFile = "/run/secrets/two" },
			[]string{"notify.email.password_file: /run/secrets/two holds more than one line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			tt.give(&e)
			_, err := New(Options{Email: &e, ReadFile: readFile})
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

// authServer starts s with STARTTLS and returns it with an Email target
// that logs in as alerts with password, read from a file.
func authServer(t *testing.T, s *smtpServer, password string) (*smtpServer, *Email) {
	t.Helper()
	s = newSMTPServer(t, s, true)
	file := filepath.Join(t.TempDir(), "smtp_password")
	if err := os.WriteFile(file, []byte(password), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, &Email{Host: "127.0.0.1", Port: s.port(t), Username: "alerts", PasswordFile: file, From: "fw@example.com",
		To: []string{"ops@example.com"}, RootCAs: s.roots}
}

// sendOne notifies siteDown through e and wants s to receive one message.
func sendOne(t *testing.T, s *smtpServer, e *Email) {
	t.Helper()
	n, _ := newTest(t, Options{Email: e})
	if err := n.Notify(testCtx(t), siteDown); err != nil {
		t.Fatal(err)
	}
	if mails, _ := s.received(); len(mails) != 1 {
		t.Fatalf("got %d messages, want 1", len(mails))
	}
}
