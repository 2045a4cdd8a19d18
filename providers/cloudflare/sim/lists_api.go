package sim

import "slices"

// Handlers of the account list endpoints (not the items). Dispatch has
// resolved c.account.

// listInput is the body of POST /accounts/{account}/rules/lists.
type listInput struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
}

// listLists answers GET /accounts/{account}/rules/lists: every list, in
// creation order, unpaginated.
func (s *Server) listLists(c *call) (reply, *apiError) {
	out := make([]List, 0, len(c.account.lists))
	for _, ls := range c.account.lists {
		out = append(out, ls.view())
	}
	return reply{result: out}, nil
}

// createList answers POST /accounts/{account}/rules/lists. The name must be
// 1-50 lower-case letters, digits or underscores and unused in the
// account, the kind "ip", the description at most 500 characters.
func (s *Server) createList(c *call) (reply, *apiError) {
	var in listInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	ls, err := s.addList(c.account, List{Name: in.Name, Kind: in.Kind, Description: in.Description}, s.now())
	if err != nil {
		return reply{}, err
	}
	return reply{result: ls.view()}, nil
}

// getList answers GET /accounts/{account}/rules/lists/{list}.
func (s *Server) getList(c *call) (reply, *apiError) {
	ls, err := c.list()
	if err != nil {
		return reply{}, err
	}
	return reply{result: ls.view()}, nil
}

// deleteList answers DELETE /accounts/{account}/rules/lists/{list} with
// {id}. Its operations not yet completed fail when next polled.
func (s *Server) deleteList(c *call) (reply, *apiError) {
	ls, err := c.list()
	if err != nil {
		return reply{}, err
	}
	c.account.lists = slices.DeleteFunc(c.account.lists, func(o *listState) bool { return o == ls })
	return reply{result: deletedID{ID: ls.list.ID}}, nil
}

// list resolves the {list} of the path in c.account: 404, code 10020 if absent.
func (c *call) list() (*listState, *apiError) {
	i := slices.IndexFunc(c.account.lists, func(ls *listState) bool { return ls.list.ID == c.params["list"] })
	if i < 0 {
		return nil, errListNotFound()
	}
	return c.account.lists[i], nil
}
