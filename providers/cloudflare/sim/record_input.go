package sim

import (
	"bytes"
	"encoding/json"
)

// optional is a JSON field that remembers whether it was present; a JSON
// null is present with the zero value (so "tags": null clears the tags).
type optional[T any] struct {
	set   bool
	value T
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.set = true
	var zero T
	o.value = zero
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	return json.Unmarshal(b, &o.value)
}

// recordInput is a DNS record request body (POST, PUT, PATCH, or one
// operation of a batch). Read-only fields clients echo back (created_on,
// proxiable, meta, ...) and unknown fields are ignored, as by the API.
type recordInput struct {
	ID      string             `json:"id"` // batch operations only
	Name    optional[string]   `json:"name"`
	Type    optional[string]   `json:"type"`
	Content optional[string]   `json:"content"`
	Proxied optional[bool]     `json:"proxied"`
	TTL     optional[int]      `json:"ttl"`
	Comment optional[string]   `json:"comment"`
	Tags    optional[[]string] `json:"tags"`
}

// decodeBody parses a JSON object body into v; anything else is a 400
// (code 9207).
func decodeBody(body []byte, v any) *apiError {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errBadBody()
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return errBadBody()
	}
	return nil
}

// overlay returns base with the fields present in the input replaced.
func (in recordInput) overlay(base Record) Record {
	r := base
	setIf(&r.Name, in.Name)
	setIf(&r.Type, in.Type)
	setIf(&r.Content, in.Content)
	setIf(&r.Proxied, in.Proxied)
	setIf(&r.TTL, in.TTL)
	setIf(&r.Comment, in.Comment)
	setIf(&r.Tags, in.Tags)
	return r
}

func setIf[T any](dst *T, o optional[T]) {
	if o.set {
		*dst = o.value
	}
}
