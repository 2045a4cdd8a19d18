package cloudflare

import (
	"context"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// Apply writes the changes of one zone. Its contract:
//   - every change is checked first; an invalid one (wrong zone, missing
//     record or id, unknown action) fails Apply before anything is written;
//   - changes go through the batch endpoint (POST /zones/{id}/dns_records/batch,
//     all or nothing, deletes then patches then posts) in chunks of at most
//     BatchSize changes; the changes of one name are never split across
//     chunks, so a CNAME->A takeover is one atomic request;
//   - if the batch endpoint is missing (HTTP 404 without a DNS error code,
//     or code 7000/7003, while the zone itself still answers), the Client
//     remembers it for an hour (batchRetry), warns, and meanwhile applies
//     each chunk with single calls: its deletes, then its updates, then its
//     creates (a takeover then has a short window without a record);
//   - it stops at the first failed chunk, with an *APIError naming the zone
//     and the chunk's records (a batch) or the record (a single call).
func (c *Client) Apply(ctx context.Context, zone controller.Zone, changes []controller.Change) error {
	if len(changes) == 0 {
		return nil
	}
	if err := checkChanges(zone, changes); err != nil {
		return err
	}
	for _, chunk := range chunkByName(changes, c.batch) {
		if err := c.applyChunk(ctx, zone, chunk); err != nil {
			c.zoneGone(err)
			return err
		}
	}
	return nil
}

// checkChanges returns an error for the first change that cannot be sent.
func checkChanges(zone controller.Zone, changes []controller.Change) *APIError {
	if zone.ID == "" {
		return &APIError{Op: "apply", Zone: zoneLabel(zone), Err: fmt.Errorf("%w: zone without id", errInvalid)}
	}
	for _, ch := range changes {
		if reason := checkChange(zone, ch); reason != "" {
			return &APIError{Op: string(ch.Action), Zone: zoneLabel(zone), Record: changeLabel(ch),
				Err: fmt.Errorf("%w: %s", errInvalid, reason)}
		}
	}
	return nil
}

func (c *Client) applyChunk(ctx context.Context, zone controller.Zone, chunk []controller.Change) *APIError {
	if !c.noBatch.off() {
		err := c.writeBatch(ctx, zone, chunk)
		if err == nil {
			return nil
		}
		if missing, final := c.batchMissing(ctx, zone, err); !missing {
			return final
		}
	}
	return c.writeSingles(ctx, zone, chunk)
}

func (c *Client) writeBatch(ctx context.Context, zone controller.Zone, chunk []controller.Change) *APIError {
	_, err := c.call(ctx, http.MethodPost, zonePath(zone.ID)+"/dns_records/batch", batchOf(chunk))
	if err != nil {
		return c.apiError(err, "batch write", zoneLabel(zone), chunkLabel(chunk))
	}
	return nil
}

// batchMissing decides, after a failed batch, whether the batch endpoint
// itself is missing: the answer says "no route" and the zone still answers
// GET /zones/{id}. Then it remembers that, warns once and returns true.
// Otherwise it returns false and the error to report: the batch's, or the
// zone check's when that failed for another reason than a missing zone.
func (c *Client) batchMissing(ctx context.Context, zone controller.Zone, batchErr *APIError) (bool, *APIError) {
	if !noRoute(batchErr) {
		return false, batchErr
	}
	if _, err := c.call(ctx, http.MethodGet, zonePath(zone.ID), nil); err != nil {
		check := c.apiError(err, "check zone", zoneLabel(zone), "")
		if check.Status == http.StatusNotFound || check.hasCode(codeBadIdentifier) {
			return false, batchErr
		}
		return false, check
	}
	if c.noBatch.turnOff() {
		c.log.Warn("dns batch endpoint unavailable, using single calls", zap.String("zone", zoneLabel(zone)),
			zap.Duration("retry_batch_in", batchRetry))
	}
	return true, nil
}

// noRoute reports whether an answer means "no such endpoint": code 7000 or
// 7003, or a 404 carrying no other code (a 404 with a DNS code such as
// 81044 is about a record, not the endpoint).
func noRoute(e *APIError) bool {
	return e.hasCode(codeNoRoute, codeBadIdentifier) || (e.Status == http.StatusNotFound && len(e.Codes) == 0)
}

// writeSingles applies a chunk one call at a time: deletes, updates, creates.
func (c *Client) writeSingles(ctx context.Context, zone controller.Zone, chunk []controller.Change) *APIError {
	for _, action := range []controller.Action{controller.ActionDelete, controller.ActionUpdate, controller.ActionCreate} {
		for _, ch := range chunk {
			if ch.Action != action {
				continue
			}
			method, path, body := singleCall(zone.ID, ch)
			if _, err := c.call(ctx, method, path, body); err != nil {
				return c.apiError(err, string(ch.Action), zoneLabel(zone), changeLabel(ch))
			}
		}
	}
	return nil
}
