package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// Account IP lists.
const (
	listKindIP       = "ip"
	listItemsPerPage = 500 // the API's maximum
	listDescription  = "managed by flarewarden"
)

// IPList returns the account's list with exactly this name and all its
// items: GET /accounts/{a}/rules/lists, then GET .../lists/{id}/items
// 500 a page, following result_info.cursors.after. Without such a list it
// returns IPList{AccountID, Name} with ID "" and no error. A list of that
// name that is not of kind ip is a permanent error; a list or item without
// id (or an item without ip), a cursor that repeats, or an answer that
// cannot be decoded is a temporary malformed-answer error naming the
// account and the list.
func (c *Client) IPList(ctx context.Context, accountID, name string) (controller.IPList, error) {
	const op = "read ip list"
	list := controller.IPList{AccountID: accountID, Name: name}
	if err := checkList(op, list); err != nil {
		return controller.IPList{}, err
	}
	id, err := c.findList(ctx, accountID, name)
	if err == nil && id != "" {
		list.ID = id
		list.Items, err = c.listItems(ctx, accountID, id)
	}
	if err != nil {
		return controller.IPList{}, c.accountError(err, op, accountID, name)
	}
	return list, nil
}

// findList returns the id of the account's list called name, or "". SDK
// defect worked around: ListLists reads "result": null as no lists
// (TestSDKListsReadNullResultAsEmpty), after which the list would be
// taken for missing and created again; so the answer is fetched raw and
// decoded here.
func (c *Client) findList(ctx context.Context, accountID, name string) (string, error) {
	r, err := c.call(ctx, http.MethodGet, listsPath(accountID), nil)
	if err != nil {
		return "", err
	}
	var lists []cf.List
	if err := decode(r.Result, &lists); err != nil {
		return "", err
	}
	for _, l := range lists {
		if l.ID == "" || l.Name == "" {
			return "", fmt.Errorf("%w: list without id or name", errMalformed)
		}
		if l.Name != name {
			continue
		}
		if l.Kind != listKindIP {
			return "", fmt.Errorf("%w: list %s is of kind %q, not %q", errInvalid, name, l.Kind, listKindIP)
		}
		return l.ID, nil
	}
	return "", nil
}

// listItems reads every item of a list, page after page by cursor. SDK
// defect worked around: ListListItems follows result_info.cursors.after
// without end, even when the cursor repeats
// (TestSDKListListItemsFollowsARepeatingCursor), and reads a null page as
// empty; so the pages are fetched raw, the cursors checked and each page
// decoded into cf.ListItem.
func (c *Client) listItems(ctx context.Context, accountID, listID string) ([]controller.ListItem, error) {
	base := fmt.Sprintf("%s/items?per_page=%d", listPath(accountID, listID), listItemsPerPage)
	var items []controller.ListItem
	seen := map[string]bool{}
	path := base
	for range maxPages {
		r, err := c.call(ctx, http.MethodGet, path, nil)
		if err != nil {
			return nil, err
		}
		if items, err = appendItems(items, r.Result); err != nil {
			return nil, err
		}
		next := ""
		if r.ResultInfo != nil {
			next = r.ResultInfo.Cursors.After
		}
		switch {
		case next == "":
			return items, nil
		case seen[next]:
			return nil, fmt.Errorf("%w: list item cursor %q repeats", errMalformed, next)
		}
		seen[next] = true
		path = base + "&cursor=" + url.QueryEscape(next)
	}
	return nil, fmt.Errorf("%w: more than %d pages", errMalformed, maxPages)
}

// appendItems decodes a page of items onto items.
func appendItems(items []controller.ListItem, raw json.RawMessage) ([]controller.ListItem, error) {
	var page []cf.ListItem
	if err := decode(raw, &page); err != nil {
		return nil, err
	}
	for _, it := range page {
		if it.ID == "" || it.IP == nil || *it.IP == "" {
			return nil, fmt.Errorf("%w: list item without id or ip", errMalformed)
		}
		items = append(items, controller.ListItem{ID: it.ID, IP: *it.IP, Comment: it.Comment})
	}
	return items, nil
}

// checkList refuses a list without account or name before anything is sent.
func checkList(op string, list controller.IPList) *APIError {
	if list.AccountID != "" && list.Name != "" {
		return nil
	}
	return &APIError{Op: op, Account: list.AccountID, Record: list.Name,
		Err: fmt.Errorf("%w: ip list without account id or name", errInvalid)}
}

// accountError maps err of a call about an account's resource like apiError.
func (c *Client) accountError(err error, op, accountID, record string) *APIError {
	e := c.apiError(err, op, "", record)
	if e.Account == "" && e.Zone == "" {
		e.Account = accountID
	}
	return e
}

// listsPath is the API path of an account's lists.
func listsPath(accountID string) string {
	return "/accounts/" + url.PathEscape(accountID) + "/rules/lists"
}

// listPath is the API path of one list.
func listPath(accountID, listID string) string {
	return listsPath(accountID) + "/" + url.PathEscape(listID)
}
