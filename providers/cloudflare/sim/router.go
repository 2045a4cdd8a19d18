package sim

import "strings"

// handler answers a routed, authenticated call. It runs with s.mu held.
type handler func(s *Server, c *call) (reply, *apiError)

// route binds a method and a path pattern to a handler. Pattern segments
// written {name} match any one non-empty segment and are passed to the
// handler in call.params.
type route struct {
	method  string
	pattern string
	handle  handler
	// selfAuth marks a handler that answers unknown tokens itself; every
	// other route rejects them before the handler runs.
	selfAuth bool
}

// routeTable is searched in order; the first route whose pattern and
// method match wins.
type routeTable []route

// match finds the route for c and stores its parameters in c.params. A path
// that no pattern matches is a 404 (code 7000); a path that matches only for
// other methods is a 405.
func (t routeTable) match(c *call) (route, *apiError) {
	pathMatched := false
	for _, rt := range t {
		params, ok := matchPattern(rt.pattern, c.path)
		if !ok {
			continue
		}
		if rt.method == c.method {
			c.params = params
			return rt, nil
		}
		pathMatched = true
	}
	if pathMatched {
		return route{}, errMethodNotAllowed()
	}
	return route{}, errNoRoute()
}

// matchPattern reports whether path matches pattern and returns the values
// of its {name} segments.
func matchPattern(pattern, path string) (map[string]string, bool) {
	want, got := segments(pattern), segments(path)
	if len(want) != len(got) {
		return nil, false
	}
	params := map[string]string{}
	for i, w := range want {
		if name, ok := paramName(w); ok && got[i] != "" {
			params[name] = got[i]
			continue
		}
		if w != got[i] {
			return nil, false
		}
	}
	return params, true
}

func paramName(segment string) (string, bool) {
	if strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}") {
		return segment[1 : len(segment)-1], true
	}
	return "", false
}

// segments splits a path on "/", ignoring the leading slash.
func segments(path string) []string {
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}
