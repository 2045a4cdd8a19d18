package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

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
//     each chunk with single calls (see writeSingles);
//   - a name whose changes replace a CNAME (a takeover) is never written
//     with single calls: a CNAME cannot share its name, so they would leave
//     the name without a record between the delete and the create, and
//     without any if the create failed. Its chunk is always tried as a
//     batch (one that succeeds puts the batch back in use); while the
//     endpoint is missing the name keeps its CNAME, the other changes are
//     applied, and Apply ends with an *APIError (Op "takeover", not
//     temporary) naming the names that wait for the batch endpoint;
//   - it stops at the first failed chunk, with an *APIError naming the zone
//     and the chunk's records (a batch) or the record (a single call).
func (c *Client) Apply(ctx context.Context, zone controller.Zone, changes []controller.Change) error {
	if len(changes) == 0 {
		return nil
	}
	if err := checkChanges(zone, changes); err != nil {
		return err
	}
	var waiting []string
	for _, chunk := range chunkByName(changes, c.batch) {
		held, err := c.applyChunk(ctx, zone, chunk)
		if err != nil {
			c.zoneGone(err)
			return err
		}
		waiting = append(waiting, held...)
	}
	if len(waiting) > 0 {
		return takeoverWaits(zone, waiting)
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

// applyChunk writes a chunk as a batch or, while the batch endpoint is
// missing, with single calls; it returns the names it held back (takeovers
// waiting for the batch endpoint).
func (c *Client) applyChunk(ctx context.Context, zone controller.Zone, chunk []controller.Change) ([]string, *APIError) {
	if !c.noBatch.off() || len(cnameReplacements(chunk)) > 0 {
		err := c.writeBatch(ctx, zone, chunk)
		if err == nil {
			c.batchBack(zone)
			return nil, nil
		}
		if missing, final := c.batchMissing(ctx, zone, err); !missing {
			return nil, final
		}
	}
	return c.writeSingles(ctx, zone, chunk)
}

// batchBack puts the batch back in use after a batch succeeded while it
// was off (tried for a takeover), and says so.
func (c *Client) batchBack(zone controller.Zone) {
	if c.noBatch.turnOn() {
		c.log.Info("dns batch endpoint available again", zap.String("zone", zoneLabel(zone)))
	}
}

// writeBatch sends a chunk to the batch endpoint with call: v0.119 has no
// call for it (batchBody).
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
	if _, err := c.api.ZoneDetails(ctx, url.PathEscape(zone.ID)); err != nil {
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

// writeSingles applies a chunk one call at a time: its updates, then its
// creates, then its deletes, so that a failed call never leaves a name
// without the records it had (a create never conflicts with a delete of
// the same chunk: the plan never creates a record of a type it deletes at
// that name). The changes of names that replace a CNAME are held back and
// their names returned: they need the batch endpoint.
func (c *Client) writeSingles(ctx context.Context, zone controller.Zone, chunk []controller.Change) ([]string, *APIError) {
	held := cnameReplacements(chunk)
	for _, action := range []controller.Action{controller.ActionUpdate, controller.ActionCreate, controller.ActionDelete} {
		for _, ch := range chunk {
			if ch.Action != action || held[changeName(ch)] {
				continue
			}
			if err := c.writeSingle(ctx, zone.ID, ch); err != nil {
				return nil, c.apiError(err, string(ch.Action), zoneLabel(zone), changeLabel(ch))
			}
		}
	}
	return slices.Sorted(maps.Keys(held)), nil
}

// writeSingle applies one valid change on its own: a delete with the SDK's
// DeleteDNSRecord, an update (PATCH) or a create (POST) with call and
// flarewarden's body (see recordPatch and recordPost for the SDK's).
func (c *Client) writeSingle(ctx context.Context, zoneID string, ch controller.Change) error {
	records := zonePath(zoneID) + "/dns_records"
	var err error
	switch ch.Action {
	case controller.ActionDelete:
		err = c.api.DeleteDNSRecord(ctx, zoneRC(zoneID), url.PathEscape(ch.Before.ID))
	case controller.ActionUpdate:
		p := patchOf(ch)
		p.ID = ""
		_, err = c.call(ctx, http.MethodPatch, records+"/"+url.PathEscape(updateID(ch)), p)
	default:
		_, err = c.call(ctx, http.MethodPost, records, postOf(ch))
	}
	return err
}

// cnameReplacements returns the names of chunk whose changes delete a CNAME.
func cnameReplacements(chunk []controller.Change) map[string]bool {
	names := map[string]bool{}
	for _, ch := range chunk {
		if ch.Action == controller.ActionDelete && strings.EqualFold(changeType(ch), controller.TypeCNAME) {
			names[changeName(ch)] = true
		}
	}
	return names
}

// errNeedsBatch marks a takeover held back while the batch endpoint is missing.
var errNeedsBatch = errors.New("CNAME kept: replacing it needs the dns batch endpoint (one all-or-nothing request), " +
	"which is unavailable; single calls would leave the name without a record")

// takeoverWaits is the error of the takeovers held back at names.
func takeoverWaits(zone controller.Zone, names []string) *APIError {
	return &APIError{Op: "takeover", Zone: zoneLabel(zone), Record: strings.Join(names, ", "), Err: errNeedsBatch}
}
