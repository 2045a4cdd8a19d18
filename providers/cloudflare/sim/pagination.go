package sim

import (
	"net/url"
	"slices"
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

// selectPage applies the query's filter, order and page to items, the way
// every list endpoint does; filter and order parse their query parameters.
func selectPage[T any](q url.Values, lim pageLimits, items []T,
	filter func(url.Values) (func(T) bool, *apiError),
	order func(url.Values) (func(a, b T) int, *apiError),
) ([]T, *resultInfo, *apiError) {
	p, err := parsePage(q, lim)
	if err != nil {
		return nil, nil, err
	}
	keep, err := filter(q)
	if err != nil {
		return nil, nil, err
	}
	cmp, err := order(q)
	if err != nil {
		return nil, nil, err
	}
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, cmp)
	page, info := paginate(out, p)
	return page, info, nil
}

// parseDirection reads direction: 1 for asc (the default), -1 for desc.
func parseDirection(q url.Values) (int, *apiError) {
	switch q.Get("direction") {
	case "", "asc":
		return 1, nil
	case "desc":
		return -1, nil
	}
	return 0, errInvalidParam("direction", "asc or desc")
}
