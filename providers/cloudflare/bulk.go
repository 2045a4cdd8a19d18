package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Statuses of a list bulk operation.
const (
	bulkPending   = "pending"
	bulkRunning   = "running"
	bulkCompleted = "completed"
	bulkFailed    = "failed"
)

// bulkBackoffFactor is how many times the first poll interval the wait
// between polls may grow to.
const bulkBackoffFactor = 8

// bulkPolicy is how bulk operations are polled: first wait interval,
// doubled per poll up to bulkBackoffFactor times it, for at most timeout.
type bulkPolicy struct {
	interval time.Duration
	timeout  time.Duration
}

// apiBulkOperation is the status of a list bulk operation.
type apiBulkOperation struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// startBulk sends an asynchronous list write and returns the id of its
// operation (result.operation_id).
func (c *Client) startBulk(ctx context.Context, method, path string, body any) (string, error) {
	r, err := c.call(ctx, method, path, body)
	if err != nil {
		return "", err
	}
	var op struct {
		OperationID string `json:"operation_id"`
	}
	if err := decode(r.Result, &op); err != nil {
		return "", err
	}
	if op.OperationID == "" {
		return "", fmt.Errorf("%w: bulk operation without operation_id", errMalformed)
	}
	return op.OperationID, nil
}

// awaitBulk polls GET /accounts/{a}/rules/lists/bulk_operations/{id} until
// the operation is completed (nil) or failed (an errFailed error carrying
// its error text). Between polls it waits, starting at the policy's
// interval and doubling up to its cap; a context end stops the wait at
// once. An operation still pending or running after the policy's timeout
// gives an errPending error (temporary: it may still complete); an unknown
// status is a malformed answer.
func (c *Client) awaitBulk(ctx context.Context, accountID, opID string) error {
	path := listsPath(accountID) + "/bulk_operations/" + url.PathEscape(opID)
	deadline := time.Now().Add(c.bulk.timeout)
	delay := c.bulk.interval
	for {
		status, err := c.bulkStatus(ctx, path, opID)
		if err != nil || status == bulkCompleted {
			return err
		}
		wait := min(delay, time.Until(deadline))
		if wait <= 0 {
			return fmt.Errorf("%w: bulk operation %s still %s after %s", errPending, opID, status, c.bulk.timeout)
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		delay = min(2*delay, bulkBackoffFactor*c.bulk.interval)
	}
}

// bulkStatus reads an operation's status once; a failed operation is an error.
func (c *Client) bulkStatus(ctx context.Context, path, opID string) (string, error) {
	r, err := c.call(ctx, http.MethodGet, path, nil)
	if err != nil {
		return "", err
	}
	var op apiBulkOperation
	if err := decode(r.Result, &op); err != nil {
		return "", err
	}
	switch op.Status {
	case bulkCompleted, bulkPending, bulkRunning:
		return op.Status, nil
	case bulkFailed:
		return "", fmt.Errorf("%w: bulk operation %s: %s", errFailed, opID, orDefault(op.Error, "no reason given"))
	}
	return "", fmt.Errorf("%w: bulk operation %s has status %q", errMalformed, opID, op.Status)
}

// sleep waits for d unless ctx ends first, returning its error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
