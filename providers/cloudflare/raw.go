package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	cf "github.com/cloudflare/cloudflare-go"
)

// maxPages bounds a listing, so that an answer that always announces one
// more page cannot keep the client listing forever.
const maxPages = 10000

// call makes one API request through the SDK's Raw and returns the answer's
// envelope. It is for the endpoints the SDK lacks or gets wrong: each
// caller names the defect. body, when not nil, is encoded here with
// encoding/json, so the bytes sent are exactly those its type describes.
// An answer that says "success": false with errors is an error (the
// transport's checkSuccess).
func (c *Client) call(ctx context.Context, method, path string, body any) (cf.RawResponse, error) {
	var payload any
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return cf.RawResponse{}, fmt.Errorf("%w: encode request: %w", errInvalid, err)
		}
		payload = b
	}
	return c.api.Raw(ctx, method, path, payload, nil)
}

// zoneRC and accountRC name a zone or an account to the SDK's calls. SDK
// defect worked around: the SDK puts identifiers into paths as they are
// (fmt.Sprintf("/zones/%s/dns_records/%s", ...)), so every identifier
// handed to it is escaped first, as zonePath does, and its requests go to
// the same paths as ours (TestSDKPathsAreNotEscaped).
func zoneRC(zoneID string) *cf.ResourceContainer { return cf.ZoneIdentifier(url.PathEscape(zoneID)) }

func accountRC(accountID string) *cf.ResourceContainer {
	return cf.AccountIdentifier(url.PathEscape(accountID))
}

// listPages GETs path?per_page=perPage&page=1, 2, ... (path may carry a
// query of its own, which comes first) until result_info
// announces no further page (or a page is empty), handing each page's
// result to add, which decodes it into the SDK's type and returns how many
// items it took. When the last page announces a total_count, the number of
// items taken must match it: a listing that changed under the client or an
// answer that lost items is reported as malformed rather than used.
//
// SDK defect worked around: the SDK's list calls read "result": null (or
// no result) as an empty list (TestSDKListsReadNullResultAsEmpty), which
// would have the plan create what exists; decode refuses it. Each caller
// names the defects of its own SDK call.
func (c *Client) listPages(ctx context.Context, path string, perPage int, add func(json.RawMessage) (int, error)) error {
	seen := 0
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for page := 1; page <= maxPages; page++ {
		r, err := c.call(ctx, http.MethodGet, fmt.Sprintf("%s%sper_page=%d&page=%d", path, sep, perPage, page), nil)
		if err != nil {
			return err
		}
		n, err := add(r.Result)
		if err != nil {
			return err
		}
		seen += n
		if !morePages(r.ResultInfo, page, n) {
			return checkTotal(r.ResultInfo, seen)
		}
	}
	return fmt.Errorf("%w: more than %d pages", errMalformed, maxPages)
}

// morePages reports whether a page after page exists.
func morePages(info *cf.ResultInfo, page, n int) bool {
	if info == nil || n == 0 {
		return false
	}
	total := info.TotalPages
	if total == 0 && info.Total > 0 && info.PerPage > 0 {
		total = (info.Total + info.PerPage - 1) / info.PerPage
	}
	return page < total
}

func checkTotal(info *cf.ResultInfo, seen int) error {
	if info == nil || info.Total <= 0 || info.Total == seen {
		return nil
	}
	return fmt.Errorf("%w: listed %d items, the answer announced %d", errMalformed, seen, info.Total)
}

// decode unmarshals an answer's result into v; failure, or a missing or
// null result, means a malformed answer.
func decode(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return fmt.Errorf("%w: no result", errMalformed)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %w", errMalformed, err)
	}
	return nil
}
