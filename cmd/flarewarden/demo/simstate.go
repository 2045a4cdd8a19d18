package demo

import _ "embed"

// SimState is the simulator's built-in state: the demo's zone, and what
// `flarewarden sim` serves when no --state is given.
//
//go:embed sim_state.yaml
var SimState []byte
