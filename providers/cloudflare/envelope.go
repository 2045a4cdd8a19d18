package cloudflare

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// envelope is what the transport reads of an answer: Cloudflare's success
// flag and errors. Success is nil when the answer has no such key (the SDK's
// own fixtures leave it out), which is no failure.
type envelope struct {
	Success *bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// parseEnvelope reads an answer's envelope; ok is false when the body is
// not a JSON object.
func parseEnvelope(body []byte) (env envelope, ok bool) {
	return env, json.Unmarshal(body, &env) == nil
}

// failed reports whether the envelope says "success": false with errors.
func (e envelope) failed() bool {
	return e.Success != nil && !*e.Success && len(e.Errors) > 0
}

// codes returns the envelope's error codes and messages.
func (e envelope) codes() ([]int, []string) {
	var codes []int
	var msgs []string
	for _, x := range e.Errors {
		codes, msgs = append(codes, x.Code), append(msgs, x.Message)
	}
	return codes, msgs
}

// readErrorBody reads and closes the body of an error answer and returns
// the Cloudflare error codes and messages it carries, if it is an envelope.
func readErrorBody(resp *http.Response) ([]int, []string) {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	env, _ := parseEnvelope(body)
	return env.codes()
}

// checkSuccess reads a 2xx answer whole and hands it on, unless its
// envelope says "success": false with errors: that becomes an *httpError
// with the answer's status, codes and messages. SDK defect worked around
// here: the SDK's typed calls (DeleteDNSRecord, GetZoneSetting, CreateList,
// ...) decode only "result" of a 2xx answer and never look at "success",
// so such an answer would read as done (TestSDKTypedCallsIgnoreSuccessFalse).
// Doing it here gives every call, Raw or typed, the same check.
func (t *retryTransport) checkSuccess(req *http.Request, resp *http.Response, attempt int) (*http.Response, error) {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, t.giveUp(req, attempt, 0, "reading the answer: "+err.Error(), err)
	}
	if env, ok := parseEnvelope(body); ok && env.failed() {
		e := t.giveUp(req, attempt, resp.StatusCode, `the answer says "success": false`, nil)
		e.Codes, e.Messages = env.codes()
		return nil, e
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
