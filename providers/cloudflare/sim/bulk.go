package sim

import (
	"net/http"
	"time"
)

// Bulk operations: POST, PUT and DELETE of list items answer at once, with
// HTTP 201 (as the Lists API documentation says of successful asynchronous
// list operations) and {"operation_id": ...}, and change nothing yet. The change is applied when
// the operation completes, and it completes only when polled
// (GET /accounts/{account}/rules/lists/bulk_operations/{id}): the first
// WithBulkPolls polls (default 1) answer "pending", then "running"; the next
// poll applies it and answers "completed", or "failed" with the reason in
// "error" (the list is then unchanged). A client must therefore poll at
// least once. A new operation on a list whose previous one was never
// polled to the end completes that one first, as if it had finished
// meanwhile.

// operation is a list bulk operation.
type operation struct {
	id        string
	account   string
	list      string
	polls     int
	status    string // pending, running, completed or failed
	err       string
	completed time.Time
	apply     func(*listState, time.Time) error
}

// operationJSON is the API's bulk operation object.
type operationJSON struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	Error     string     `json:"error,omitempty"`
	Completed *time.Time `json:"completed,omitempty"`
}

// operationRef is the result of an asynchronous list call.
type operationRef struct {
	OperationID string `json:"operation_id"`
}

func (op *operation) view() operationJSON {
	v := operationJSON{ID: op.id, Status: op.status, Error: op.err}
	if !op.completed.IsZero() {
		t := op.completed
		v.Completed = &t
	}
	return v
}

// startOperation queues apply on list ls of account a and answers its id
// (HTTP 201).
// The caller holds s.mu.
func (s *Server) startOperation(a *accountState, ls *listState, apply func(*listState, time.Time) error) reply {
	if ls.pending != nil {
		s.finish(ls.pending, s.now())
	}
	op := &operation{id: s.nextID("operation"), account: a.id, list: ls.list.ID, status: "pending", apply: apply}
	s.operations[op.id] = op
	ls.pending = op
	return reply{status: http.StatusCreated, result: operationRef{OperationID: op.id}}
}

// getOperation answers GET /accounts/{account}/rules/lists/bulk_operations/{operation}:
// the operation's status, advanced by this poll.
func (s *Server) getOperation(c *call) (reply, *apiError) {
	op := s.operations[c.params["operation"]]
	if op == nil || op.account != c.account.id {
		return reply{}, newError(http.StatusNotFound, codeOperationNotFound, "bulk operation not found")
	}
	if op.status == "pending" || op.status == "running" {
		op.polls++
		switch {
		case op.polls > s.bulkPolls:
			s.finish(op, s.now())
		case op.polls > 1:
			op.status = "running"
		}
	}
	return reply{result: op.view()}, nil
}

// finish applies op to its list (if the list still exists) and records the outcome.
func (s *Server) finish(op *operation, now time.Time) {
	ls := s.listByID(op.account, op.list)
	err := errNoList
	if ls != nil {
		err = op.apply(ls, now)
		if ls.pending == op {
			ls.pending = nil
		}
	}
	op.status, op.completed = "completed", now
	if err != nil {
		op.status, op.err = "failed", err.Error()
	}
}
