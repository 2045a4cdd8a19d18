package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// outputFormat is the value of an --output flag: "table" or "json". Any
// other value is refused when the flag is parsed.
type outputFormat string

// addOutputFlag adds --output/-o (default table) to cmd, stored in o.
func addOutputFlag(cmd *cobra.Command, o *outputFormat, usage string) {
	*o = "table"
	cmd.Flags().VarP(o, "output", "o", usage+": table or json")
}

func (o *outputFormat) String() string { return string(*o) }

// Set accepts table or json.
func (o *outputFormat) Set(v string) error {
	if v != "table" && v != "json" {
		return fmt.Errorf("%q is not one of table, json", v)
	}
	*o = outputFormat(v)
	return nil
}

// Type names the flag's value in usage texts.
func (o *outputFormat) Type() string { return "format" }

// json reports whether JSON was asked for.
func (o outputFormat) json() bool { return o == "json" }
