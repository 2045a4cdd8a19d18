package config

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Takeover is records[].takeover_cname: true, false or "on-failure".
type Takeover string

// Takeover modes.
const (
	TakeoverAlways    Takeover = "true"
	TakeoverNever     Takeover = "false"
	TakeoverOnFailure Takeover = "on-failure"
)

// Takeover is the record's takeover mode: takeover_cname, or true when
// unset.
func (r Record) Takeover() Takeover {
	if r.TakeoverCNAME == nil {
		return TakeoverAlways
	}
	return *r.TakeoverCNAME
}

// UnmarshalYAML accepts a boolean or "on-failure".
func (t *Takeover) UnmarshalYAML(n *yaml.Node) error {
	switch n.Value {
	case "true", "false", string(TakeoverOnFailure):
		*t = Takeover(n.Value)
		return nil
	}
	return fmt.Errorf("line %d: takeover_cname must be true, false or on-failure, not %q", n.Line, n.Value)
}

// MarshalYAML writes true/false as booleans.
func (t Takeover) MarshalYAML() (any, error) {
	if t == TakeoverOnFailure {
		return string(t), nil
	}
	return t == TakeoverAlways, nil
}
