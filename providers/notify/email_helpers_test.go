package notify

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// letter is one message a test SMTP server received.
type letter struct {
	from, subject, body string
	to                  []string // the envelope's recipients
	header              mail.Header
}

// smtpServer is a loopback SMTP server that records the messages it
// accepts and answers DATA number n (from 1) with reply(n).
type smtpServer struct {
	addr  string
	roots *x509.CertPool // trust its certificate, when it has one
	mu    sync.Mutex
	datas int
	mails []letter
	reply func(n int) error
	user  string // the only credentials accepted, when set
	pass  string
	// loginOnly offers AUTH LOGIN alone, in place of PLAIN.
	loginOnly bool
}

// newSMTPServer starts s on 127.0.0.1; with TLS it offers STARTTLS with a
// self-signed certificate (of httptest, for 127.0.0.1) and AUTH PLAIN.
func newSMTPServer(t *testing.T, s *smtpServer, withTLS bool) *smtpServer {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	if withTLS {
		h := httptest.NewUnstartedServer(nil)
		h.StartTLS()
		srv.TLSConfig = &tls.Config{Certificates: h.TLS.Certificates, MinVersion: tls.VersionTLS12}
		s.roots = x509.NewCertPool()
		s.roots.AddCert(h.Certificate())
		h.Close()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// port is the server's port.
func (s *smtpServer) port(t *testing.T) int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, err := net.LookupPort("tcp", p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// received returns the accepted messages and the number of DATA commands.
func (s *smtpServer) received() ([]letter, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]letter(nil), s.mails...), s.datas
}

// session is one SMTP connection of a smtpServer.
type session struct {
	s    *smtpServer
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.loginOnly {
		return []string{sasl.Login}
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	check := func(_, user, pass string) error {
		if ss.s.user == "" || user != ss.s.user || pass != ss.s.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(check), nil
}

// loginServer is the server side of AUTH LOGIN, which go-sasl has no
// server for: a username, then a password, each asked for.
type loginServer struct {
	check      func(identity, user, pass string) error
	step       int
	user, pass string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // an initial response is the username
			l.user, l.step = string(response), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	}
	l.pass = string(response)
	return nil, true, l.check("", l.user, l.pass)
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error { ss.from = from; return nil }
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error   { ss.to = append(ss.to, to); return nil }
func (ss *session) Reset()                                      { ss.from, ss.to = "", nil }
func (ss *session) Logout() error                               { return nil }

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.datas++
	if ss.s.reply != nil {
		if err := ss.s.reply(ss.s.datas); err != nil {
			return err
		}
	}
	l, err := parseLetter(raw)
	if err != nil {
		return err
	}
	l.from, l.to = ss.from, ss.to
	ss.s.mails = append(ss.s.mails, l)
	return nil
}

// parseLetter decodes a message's subject and its quoted-printable body.
func parseLetter(raw []byte) (letter, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return letter{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return letter{}, err
	}
	body := m.Body
	switch enc := strings.ToLower(m.Header.Get("Content-Transfer-Encoding")); enc {
	case "quoted-printable":
		body = quotedprintable.NewReader(m.Body)
	case "", "7bit", "8bit":
	default:
		return letter{}, errors.New("unexpected encoding " + enc)
	}
	b, err := io.ReadAll(body)
	return letter{subject: subject, body: string(b), header: m.Header}, err
}
