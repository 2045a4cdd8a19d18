package controller

// Action is what a change does to a record.
type Action string

// The actions a plan can contain.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

// Change is one planned write. Before is nil for a create, After is nil for a
// delete; an update carries both (After.ID == Before.ID).
type Change struct {
	Action Action  `json:"action"`
	Zone   Zone    `json:"zone"`
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Before *Record `json:"before,omitempty"`
	After  *Record `json:"after,omitempty"`
	Reason string  `json:"reason"`
}

// Old returns the content before the change, or "" for a create.
func (c Change) Old() string {
	if c.Before == nil {
		return ""
	}
	return c.Before.Content
}

// New returns the content after the change, or "" for a delete.
func (c Change) New() string {
	if c.After == nil {
		return ""
	}
	return c.After.Content
}
