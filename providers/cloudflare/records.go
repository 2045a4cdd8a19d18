package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// Records returns every record of the zone, all types, in one logical
// listing (GET /zones/{id}/dns_records, PerPage records a page, every
// page). Names are lower-cased without a trailing dot and ZoneID is the
// zone's. An answer with a record lacking id, name or type, or one that
// cannot be decoded, fails the whole listing with a temporary error naming
// the zone, so a bad answer never leads to writes.
//
// It pages itself (listPages) rather than use the SDK's ListDNSRecords,
// which pages only when neither PerPage nor Page is set (and then 100
// records a page), returns the first page alone otherwise, never checks
// total_count and has no bound on the pages it follows
// (TestSDKListDNSRecordsPagesOnlyWithoutPageSize).
func (c *Client) Records(ctx context.Context, zone controller.Zone) ([]controller.Record, error) {
	if zone.ID == "" {
		return nil, &APIError{Op: "list records", Zone: zoneLabel(zone), Err: fmt.Errorf("%w: zone without id", errInvalid)}
	}
	var recs []controller.Record
	err := c.listPages(ctx, zonePath(zone.ID)+"/dns_records", c.perPage, func(raw json.RawMessage) (int, error) {
		var page []cf.DNSRecord
		if err := decode(raw, &page); err != nil {
			return 0, err
		}
		for _, r := range page {
			if r.ID == "" || r.Name == "" || r.Type == "" {
				return 0, fmt.Errorf("%w: record without id, name or type", errMalformed)
			}
			recs = append(recs, recordOf(r, zone.ID))
		}
		return len(page), nil
	})
	if err != nil {
		e := c.apiError(err, "list records", zoneLabel(zone), "")
		c.zoneGone(e)
		return nil, e
	}
	return recs, nil
}

// recordOf converts a listed record; proxied absent reads as false.
func recordOf(r cf.DNSRecord, zoneID string) controller.Record {
	return controller.Record{
		ID: r.ID, ZoneID: zoneID, Name: controller.NormalizeName(r.Name), Type: r.Type,
		Content: r.Content, Proxied: r.Proxied != nil && *r.Proxied, TTL: r.TTL, Comment: r.Comment, Tags: r.Tags,
	}
}
