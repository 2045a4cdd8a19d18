package sim

import (
	"encoding/json"
	"net/http"
)

// message is one entry of an envelope's "errors" or "messages" array.
type message struct {
	Code       int            `json:"code"`
	Message    string         `json:"message"`
	Source     *messageSource `json:"source,omitempty"`
	ErrorChain []message      `json:"error_chain,omitempty"`
}

// messageSource points at the request field an error is about, as the
// rulesets API does: {"pointer": "/rules/0/action_parameters/products/0"}.
type messageSource struct {
	Pointer string `json:"pointer"`
}

// cursorInfo is the result_info of cursor-paginated lists (list items):
// cursors.after is present when there are more items.
type cursorInfo struct {
	Cursors cursors `json:"cursors"`
}

type cursors struct {
	After string `json:"after,omitempty"`
}

// resultInfo is the pagination block of list answers.
type resultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// envelope is the body of every API answer.
type envelope struct {
	Success    bool      `json:"success"`
	Errors     []message `json:"errors"`
	Messages   []message `json:"messages"`
	Result     any       `json:"result"`
	ResultInfo any       `json:"result_info,omitempty"` // *resultInfo or *cursorInfo
}

// reply is what a handler produces on success.
type reply struct {
	status   int // 0 = 200; 201 for an asynchronous list operation
	result   any
	info     any // nil, *resultInfo or *cursorInfo
	messages []message
}

// response is a fully rendered answer, written after the state lock is released.
type response struct {
	status int
	header http.Header
	body   []byte
}

func successResponse(r reply) response {
	msgs := r.messages
	if msgs == nil {
		msgs = []message{}
	}
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	return render(status, envelope{Success: true, Errors: []message{}, Messages: msgs, Result: r.result, ResultInfo: r.info})
}

func errorResponse(e *apiError) response {
	m := message{Code: e.Code, Message: e.Message, ErrorChain: e.Chain}
	if e.Pointer != "" {
		m.Source = &messageSource{Pointer: e.Pointer}
	}
	env := envelope{Errors: append([]message{m}, e.More...), Messages: []message{}}
	return render(e.Status, env)
}

// render marshals env. Every value the simulator puts in an envelope is
// marshalable, so a failure here is a programming error answered as a 500.
func render(status int, env envelope) response {
	body, err := json.Marshal(env)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"success":false,"errors":[{"code":10500,"message":"Internal Server Error"}],"messages":[],"result":null}`)
	}
	return response{status: status, header: http.Header{}, body: body}
}

// write sends resp with the headers every answer carries.
func (resp response) write(w http.ResponseWriter, ray string) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cf-Ray", ray)
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}
