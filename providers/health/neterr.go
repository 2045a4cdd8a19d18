package health

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
)

// errText is err's message for an explanation: without net/http's
// `Get "URL":` prefix (the URL may carry a token), on one line, at most
// 200 bytes.
func errText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return clipN(strings.Join(strings.Fields(err.Error()), " "), 200)
}

// isTimeout reports whether err is a timeout, or ctx's deadline passed
// (an I/O deadline may fire just before ctx is marked done).
func isTimeout(ctx context.Context, err error) bool {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return true
	}
	return errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// isTLS reports whether err is a TLS handshake or certificate failure.
func isTLS(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert),
		errors.As(err, &authority), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.Is(err, http.ErrSchemeMismatch):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "tls: ") || strings.Contains(msg, "x509: ")
}

// isRefused reports whether the connection was refused.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// isReset reports whether the peer reset or closed the connection.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// dnsError returns the DNS failure in err, if any.
func dnsError(err error) (*net.DNSError, bool) {
	var de *net.DNSError
	return de, errors.As(err, &de)
}

// dialer connects to "host:port", resolving host with resolver (nil: the
// system resolver). Names under .invalid fail without a query (RFC 6761).
func dialer(resolver *net.Resolver) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Resolver: resolver}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, _, err := net.SplitHostPort(addr); err == nil && isInvalidName(host) {
			return nil, &net.OpError{Op: "dial", Net: network,
				Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		}
		return d.DialContext(ctx, network, addr)
	}
}

// isInvalidName reports whether host is under the special-use TLD
// .invalid, which never resolves.
func isInvalidName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return h == "invalid" || strings.HasSuffix(h, ".invalid")
}
