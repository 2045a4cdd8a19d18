package ipdetect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// HTTP limits and identification shared by every HTTP source.
const (
	maxBody   = 64 << 10
	userAgent = "flarewarden"
)

// httpReply is a successful (200) HTTP answer.
type httpReply struct {
	body        []byte
	contentType string
}

// errHTML builds the error for an HTML page where want was expected.
func errHTML(want string) error {
	return fmt.Errorf("answer is an HTML page, not %s", want)
}

// doHTTP sends req through rt and returns the body of a 200 answer, read up
// to maxBody. Redirects are followed only when follow is set. Errors carry
// the status ("HTTP 503") or the transport failure, without repeating the
// URL.
func doHTTP(req *http.Request, rt http.RoundTripper, follow bool) (httpReply, error) {
	req.Header.Set("User-Agent", userAgent)
	client := &http.Client{Transport: rt}
	if !follow {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	resp, err := client.Do(req)
	if err != nil {
		return httpReply{}, unwrapURLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		return httpReply{}, statusError(resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return httpReply{}, fmt.Errorf("reading the answer: %w", unwrapURLError(err))
	}
	if len(body) > maxBody {
		return httpReply{}, fmt.Errorf("answer is larger than %d KiB", maxBody>>10)
	}
	return httpReply{body: body, contentType: resp.Header.Get("Content-Type")}, nil
}

// statusError describes a non-200 answer.
func statusError(resp *http.Response) error {
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		return fmt.Errorf("HTTP %d redirect to %s (not followed)", resp.StatusCode, clip(redirectTarget(loc)))
	}
	return fmt.Errorf("HTTP %d", resp.StatusCode)
}

// redirectTarget names a redirect's target by scheme and host only: its
// path and query may carry secrets.
func redirectTarget(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" {
		return "a path of the same host"
	}
	return u.Scheme + "://" + u.Host
}

// unwrapURLError drops the "Get \"URL\":" wrapper of net/http errors: the
// source name already says which URL was asked.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// looksHTML reports whether body is markup rather than plain text: it
// starts with '<' or mentions an html/doctype tag near its start.
func looksHTML(body []byte) bool {
	text := bytes.TrimSpace(body)
	if len(text) > 0 && text[0] == '<' {
		return true
	}
	head := strings.ToLower(string(text[:min(len(text), 512)]))
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype")
}

// clip shortens s for an error message: at most 40 bytes, then "...".
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
