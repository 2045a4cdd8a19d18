package demo

import (
	"gopkg.in/yaml.v3"
)

// mergeYAML returns the YAML of base with extra merged in, as a user edits
// a config: a mapping merges key by key; in a list, an item whose name an
// item of base has changes that item (a record, an uplink), any other is
// appended; any other value replaces base's.
func mergeYAML(base, extra string) ([]byte, error) {
	var b, x any
	if err := yaml.Unmarshal([]byte(base), &b); err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal([]byte(extra), &x); err != nil {
		return nil, err
	}
	return yaml.Marshal(merge(b, x))
}

func merge(base, extra any) any {
	switch b := base.(type) {
	case map[string]any:
		x, ok := extra.(map[string]any)
		if !ok {
			break
		}
		for k, v := range x {
			b[k] = merge(b[k], v)
		}
		return b
	case []any:
		x, ok := extra.([]any)
		if !ok {
			break
		}
		for _, item := range x {
			if i := indexByName(b, item); i >= 0 {
				b[i] = merge(b[i], item)
			} else {
				b = append(b, item)
			}
		}
		return b
	}
	if extra == nil {
		return base
	}
	return extra
}

// indexByName returns the index in list of the mapping whose name is
// item's, or -1.
func indexByName(list []any, item any) int {
	m, ok := item.(map[string]any)
	if !ok || m["name"] == nil {
		return -1
	}
	for i, other := range list {
		if o, ok := other.(map[string]any); ok && o["name"] == m["name"] {
			return i
		}
	}
	return -1
}
