package cloudflare

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// ApplyIPList writes the item changes of one account IP list. Its contract:
//   - every change is checked first (same account and list, action, ip of
//     a create, id of a delete); an invalid one fails it before anything
//     is written;
//   - a list with ID "" is created first (POST /accounts/{a}/rules/lists,
//     kind ip, description "managed by flarewarden": the SDK's CreateList);
//   - then ONE POST .../lists/{id}/items adds all creates, and ONE DELETE
//     .../lists/{id}/items removes all deletes (adds first, so an address
//     that moves between items is never missing), with the SDK's
//     CreateListItemsAsync and DeleteListItemsAsync; each answers an
//     operation id that is polled until it completes (see awaitBulk);
//   - it stops at the first failure, with an *APIError naming the account,
//     the list and the items.
func (c *Client) ApplyIPList(ctx context.Context, list controller.IPList, changes []controller.ListItemChange) error {
	if len(changes) == 0 {
		return nil
	}
	if err := checkListChanges(list, changes); err != nil {
		return err
	}
	if list.ID == "" {
		id, err := c.createList(ctx, list)
		if err != nil {
			return err
		}
		list.ID = id
	}
	adds, removes := splitItems(changes)
	if len(adds) > 0 {
		label := itemsLabel(adds) + " to ip list " + list.Name
		if err := c.bulkItems(ctx, list, "add items", label, func() (string, error) { return c.addItems(ctx, list, adds) }); err != nil {
			return err
		}
	}
	if len(removes) > 0 {
		label := itemsLabel(removes) + " from ip list " + list.Name
		return c.bulkItems(ctx, list, "remove items", label, func() (string, error) { return c.removeItems(ctx, list, removes) })
	}
	return nil
}

// createList creates the list and returns its id.
func (c *Client) createList(ctx context.Context, list controller.IPList) (string, error) {
	const op = "create ip list"
	created, err := c.api.CreateList(ctx, accountRC(list.AccountID),
		cf.ListCreateParams{Name: list.Name, Kind: listKindIP, Description: listDescription})
	if err == nil && created.ID == "" {
		err = fmt.Errorf("%w: created list without id", errMalformed)
	}
	if err != nil {
		return "", c.accountError(err, op, list.AccountID, list.Name)
	}
	return created.ID, nil
}

// addItems starts adding items to the list and returns the operation id.
func (c *Client) addItems(ctx context.Context, list controller.IPList, items []controller.ListItem) (string, error) {
	add := make([]cf.ListItemCreateRequest, len(items))
	for i, it := range items {
		add[i] = cf.ListItemCreateRequest{IP: &it.IP, Comment: it.Comment}
	}
	r, err := c.api.CreateListItemsAsync(ctx, accountRC(list.AccountID), cf.ListCreateItemsParams{ID: url.PathEscape(list.ID), Items: add})
	return operationID(r.Result.OperationID, err)
}

// removeItems starts removing items from the list and returns the operation id.
func (c *Client) removeItems(ctx context.Context, list controller.IPList, items []controller.ListItem) (string, error) {
	refs := cf.ListItemDeleteRequest{Items: make([]cf.ListItemDeleteItemRequest, len(items))}
	for i, it := range items {
		refs.Items[i] = cf.ListItemDeleteItemRequest{ID: it.ID}
	}
	r, err := c.api.DeleteListItemsAsync(ctx, accountRC(list.AccountID), cf.ListDeleteItemsParams{ID: url.PathEscape(list.ID), Items: refs})
	return operationID(r.Result.OperationID, err)
}

// bulkItems starts one bulk item write and waits for its operation.
func (c *Client) bulkItems(ctx context.Context, list controller.IPList, op, label string, start func() (string, error)) error {
	opID, err := start()
	if err == nil {
		err = c.awaitBulk(ctx, list.AccountID, opID)
	}
	if err != nil {
		return c.accountError(err, op, list.AccountID, label)
	}
	return nil
}

// splitItems returns the items to add and those to remove, in order.
func splitItems(changes []controller.ListItemChange) (adds, removes []controller.ListItem) {
	for _, ch := range changes {
		if ch.Action == controller.ActionCreate {
			adds = append(adds, ch.Item)
		} else {
			removes = append(removes, ch.Item)
		}
	}
	return adds, removes
}

// checkListChanges returns an error for the first change that cannot be sent.
func checkListChanges(list controller.IPList, changes []controller.ListItemChange) *APIError {
	if err := checkList("apply ip list", list); err != nil {
		return err
	}
	for _, ch := range changes {
		if reason := checkListChange(list, ch); reason != "" {
			return &APIError{Op: string(ch.Action) + " item", Account: list.AccountID,
				Record: itemLabel(ch.Item) + " of ip list " + list.Name, Err: fmt.Errorf("%w: %s", errInvalid, reason)}
		}
	}
	return nil
}

// checkListChange returns why a change cannot be sent, or "".
func checkListChange(list controller.IPList, ch controller.ListItemChange) string {
	switch {
	case ch.List.AccountID != list.AccountID || ch.List.Name != list.Name:
		return fmt.Sprintf("change belongs to ip list %s of account %s", ch.List.Name, ch.List.AccountID)
	case ch.List.ID != "" && ch.List.ID != list.ID:
		return "change belongs to ip list id " + ch.List.ID
	}
	switch ch.Action {
	case controller.ActionCreate:
		if ch.Item.IP == "" {
			return "add without an ip"
		}
	case controller.ActionDelete:
		if ch.Item.ID == "" || list.ID == "" {
			return "remove without an item id"
		}
	default:
		return fmt.Sprintf("unknown action %q", ch.Action)
	}
	return ""
}

// itemsLabel names items in errors, truncated after a few:
// "203.0.113.7, 2001:db8::/64, 198.51.100.1 and 2 more".
func itemsLabel(items []controller.ListItem) string {
	labels := make([]string, 0, chunkLabelNames)
	for _, it := range items[:min(len(items), chunkLabelNames)] {
		labels = append(labels, itemLabel(it))
	}
	s := strings.Join(labels, ", ")
	if more := len(items) - chunkLabelNames; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// itemLabel names an item: its ip, or its id when it has none.
func itemLabel(it controller.ListItem) string {
	if it.IP != "" {
		return it.IP
	}
	return it.ID
}
