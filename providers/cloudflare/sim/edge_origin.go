package sim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// maxOriginBody bounds the origin body the edge relays; the rest is dropped.
const maxOriginBody = 8 << 20

// SetOrigin maps the public origin address ip to the local "host:port"
// where that origin listens; addr "" removes the mapping (the edge then
// answers 523 for it). It makes the edge contact origins, as WithOrigins
// does. An ip that is not an IP address is ignored.
func (s *Server) SetOrigin(ip, addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setOrigin(ip, addr)
	s.originsSet = true
}

// setOrigin maps or unmaps ip. The caller holds s.mu (or owns s).
func (s *Server) setOrigin(ip, addr string) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return
	}
	if addr == "" {
		delete(s.origins, a.Unmap())
		return
	}
	s.origins[a.Unmap()] = addr
}

// originAddr is the local address of the origin at ip, if mapped.
func (s *Server) originAddr(ip netip.Addr) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	addr, ok := s.origins[ip.Unmap()]
	return addr, ok
}

// originAnswer is what an origin answered, body read in full.
type originAnswer struct {
	status int
	header http.Header
	body   []byte
}

// originError is a failure to get an answer from an origin, with the 52x
// status the edge answers for it.
type originError struct {
	status int // 520, 521, 522 or 524
	err    error
}

func (e *originError) Error() string { return fmt.Sprintf("origin error %d: %v", e.status, e.err) }
func (e *originError) Unwrap() error { return e.err }

// fetchOrigin forwards r (method, URI, Host, headers, body) over plain HTTP
// to the origin listening at addr and reads its answer, each of the
// connection and the answer bounded by the origin timeout. Failures are
// *originError: refused 521, connection timeout 522, closed without an
// answer 520, answer timeout 524. It must be called without s.mu.
func (s *Server) fetchOrigin(ctx context.Context, r *http.Request, addr string, client netip.Addr) (originAnswer, error) {
	d := net.Dialer{Timeout: s.originTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return originAnswer{}, &originError{status: dialStatus(err), err: err}
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(s.originTimeout)); err != nil {
		return originAnswer{}, &originError{status: 520, err: err}
	}
	out, err := originRequest(ctx, r, addr, client)
	if err != nil {
		return originAnswer{}, &originError{status: 520, err: err}
	}
	if err := out.Write(conn); err != nil {
		return originAnswer{}, &originError{status: answerStatus(err), err: fmt.Errorf("send request: %w", err)}
	}
	return readOrigin(bufio.NewReader(conn), out)
}

// originRequest is r as the edge sends it to the origin at addr.
func originRequest(ctx context.Context, r *http.Request, addr string, client netip.Addr) (*http.Request, error) {
	body := r.Body
	if r.ContentLength == 0 || body == nil {
		body = http.NoBody
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, "http://"+addr+r.URL.RequestURI(), body)
	if err != nil {
		return nil, fmt.Errorf("origin request: %w", err)
	}
	out.Header = r.Header.Clone()
	out.Header.Del(edgeClientHeader)
	if client.IsValid() {
		out.Header.Set("Cf-Connecting-Ip", client.String())
		out.Header.Set("X-Forwarded-For", client.String())
	}
	out.Host, out.ContentLength, out.Close = r.Host, r.ContentLength, true
	return out, nil
}

// readOrigin reads the origin's answer to out from br.
func readOrigin(br *bufio.Reader, out *http.Request) (originAnswer, error) {
	resp, err := http.ReadResponse(br, out)
	if err != nil {
		return originAnswer{}, &originError{status: answerStatus(err), err: fmt.Errorf("read answer: %w", err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOriginBody))
	if err != nil {
		return originAnswer{}, &originError{status: answerStatus(err), err: fmt.Errorf("read body: %w", err)}
	}
	return originAnswer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// dialStatus classifies a failed connection: 521 when the origin refused
// (or reset) it, 522 otherwise (timeout, unreachable).
func dialStatus(err error) int {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return 521
	}
	return 522
}

// answerStatus classifies a failure after connecting: 524 on a timeout,
// 520 otherwise (the origin closed or answered garbage).
func answerStatus(err error) int {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return 524
	}
	return 520
}
