package sim

import (
	"net/url"
	"strconv"
)

// pageLimits are an endpoint's per_page default and bounds.
type pageLimits struct{ def, min, max int }

// page is a validated page request.
type page struct{ number, perPage int }

// parsePage reads page (default 1) and per_page (default lim.def; both
// clamped into lim.min..lim.max). A non-integer or a page below 1 is a 400 (code 1001).
func parsePage(q url.Values, lim pageLimits) (page, *apiError) {
	p := page{number: 1, perPage: min(lim.def, lim.max)}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return page{}, errInvalidParam("page", "a positive integer")
		}
		p.number = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return page{}, errInvalidParam("per_page", "an integer")
		}
		p.perPage = min(max(n, lim.min), lim.max)
	}
	return p, nil
}

// paginate returns the items of page p (never nil) and the result_info.
func paginate[T any](items []T, p page) ([]T, *resultInfo) {
	total := len(items)
	start := total
	if p.number-1 < (total+p.perPage-1)/p.perPage {
		start = (p.number - 1) * p.perPage
	}
	end := min(start+p.perPage, total)
	out := append(make([]T, 0, end-start), items[start:end]...)
	return out, &resultInfo{
		Page:       p.number,
		PerPage:    p.perPage,
		Count:      len(out),
		TotalCount: total,
		TotalPages: (total + p.perPage - 1) / p.perPage,
	}
}
