package cloudflare

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/flarewarden/flarewarden/controller/retry"
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

// operationID returns the operation id a bulk write answered, or the
// write's error; an answer without one is malformed.
func operationID(id string, err error) (string, error) {
	if err == nil && id == "" {
		err = fmt.Errorf("%w: bulk operation without operation_id", errMalformed)
	}
	return id, err
}

// awaitBulk polls GET /accounts/{a}/rules/lists/bulk_operations/{id} until
// the operation is completed (nil) or failed (an errFailed error carrying
// its error text). Between polls it waits, starting at the policy's
// interval and doubling up to its cap; a context end stops the wait at
// once. An operation still pending or running after the policy's timeout
// gives an errPending error (temporary: it may still complete); an unknown
// status is a malformed answer.
func (c *Client) awaitBulk(ctx context.Context, accountID, opID string) error {
	deadline := time.Now().Add(c.bulk.timeout)
	polls := retry.Backoff{Base: c.bulk.interval, Max: bulkBackoffFactor * c.bulk.interval, Jitter: retry.None}
	for n := 1; ; n++ {
		status, err := c.bulkStatus(ctx, accountID, opID)
		if err != nil || status == bulkCompleted {
			return err
		}
		wait := min(polls.Delay(n), time.Until(deadline))
		if wait <= 0 {
			return fmt.Errorf("%w: bulk operation %s still %s after %s", errPending, opID, status, c.bulk.timeout)
		}
		if err := retry.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// bulkStatus reads an operation's status once (the SDK's
// GetListBulkOperation); a failed operation is an error.
func (c *Client) bulkStatus(ctx context.Context, accountID, opID string) (string, error) {
	op, err := c.api.GetListBulkOperation(ctx, accountRC(accountID), url.PathEscape(opID))
	if err != nil {
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
