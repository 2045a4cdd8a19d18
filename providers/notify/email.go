package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/flarewarden/flarewarden/controller"
)

// maxSubject is the longest subject sent, in bytes.
const maxSubject = 200

// email sends an event as one plain-text e-mail through an SMTP server.
// It uses go-mail without its template methods: text/template would make
// the binary 13 MB larger (see .ci/release-check.sh).
type email struct {
	server *url.URL // smtp://host:port, for names and scrubbing only
	opts   []mail.Option
	from   string
	to     []string
}

// plan sends what people act on (forPeople): the summary as the subject,
// the event's line as the body.
func (m email) plan(e controller.Event) (call, decision) {
	if d := forPeople(e.Kind); d != send {
		return call{}, d
	}
	subject := truncate(strings.Join(strings.Fields(eventSummary(e)), " "), maxSubject)
	body := eventText(e) + "\n"
	return call{url: m.server, mail: func(ctx context.Context) error { return m.send(ctx, subject, body) }}, send
}

// send delivers one message to every recipient, over one connection.
func (m email) send(ctx context.Context, subject, body string) error {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(m.from); err != nil {
		return err
	}
	if err := msg.To(m.to...); err != nil {
		return err
	}
	msg.Subject(subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetUserAgent("flarewarden")
	msg.SetBodyString(mail.TypeTextPlain, body)
	c, err := mail.NewClient(m.server.Hostname(), m.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// clientOptions are the go-mail options of o: its port and TLS mode (a
// checked one), its credentials, and timeout per network operation.
func clientOptions(o Email, port int, password string, timeout time.Duration) []mail.Option {
	cfg := &tls.Config{ServerName: o.Host, MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs}
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(timeout), mail.WithTLSConfig(cfg)}
	switch o.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if o.Username == "" {
		return opts
	}
	// Over TLS, the strongest mechanism the server offers of SCRAM, CRAM-MD5,
	// PLAIN and LOGIN (Office 365 offers LOGIN only, for one).
	auth := mail.SMTPAuthAutoDiscover
	if o.TLS == "none" { // loopback only: checkEmail refuses it elsewhere
		auth = mail.SMTPAuthPlainNoEnc
	}
	return append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(o.Username), mail.WithPassword(password))
}

// smtpOutcome classifies the error of a send: nil is success; the
// caller's ctx done is final; a 4xx reply of the server, a timeout or a
// network error may be retried; a 5xx reply, or any other error, is final.
// The text is scrubbed by sc.
func smtpOutcome(ctx, actx context.Context, err error, timeout time.Duration, sc scrubber) outcome {
	if err == nil {
		return outcome{}
	}
	if ctx.Err() != nil || actx.Err() != nil {
		return transportError(ctx, actx, err, timeout, sc)
	}
	return outcome{err: &safeError{msg: sc.scrub(err.Error()), cause: err}, retry: temporary(err)}
}

// temporary reports whether err is a 4xx reply of the server or a network
// error. A go-mail SendError without a reply code wraps a network error
// it does not unwrap (the addresses were checked by New): temporary.
func temporary(err error) bool {
	var se *mail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode() == 0 || se.IsTemp()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 400 && te.Code < 500
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe)
}

// smtpURL names an SMTP server by host and port, as targets are named.
func smtpURL(host string, port int) *url.URL {
	return &url.URL{Scheme: "smtp", Host: net.JoinHostPort(host, strconv.Itoa(port))}
}
