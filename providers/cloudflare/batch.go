package cloudflare

import (
	"fmt"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// autoTTL is Cloudflare's "automatic" TTL, sent when a change has none.
const autoTTL = 1

// chunkLabelNames is how many records a batch error names before "and N more".
const chunkLabelNames = 3

// batchBody is the body of POST /zones/{id}/dns_records/batch. Cloudflare
// runs deletes, then patches, then posts, all or nothing. SDK defect worked
// around: v0.119 has no call for this endpoint (TestSDKHasNoDNSBatch), so
// it is sent with call.
type batchBody struct {
	Deletes []recordRef   `json:"deletes,omitempty"`
	Patches []recordPatch `json:"patches,omitempty"`
	Posts   []recordPost  `json:"posts,omitempty"`
}

type recordRef struct {
	ID string `json:"id"`
}

// recordPatch is an update; ID is omitted in a single PATCH (it is in the path).
// Tags is always an array: null would clear them. SDK defect worked around:
// UpdateDNSRecordParams, the body of the SDK's UpdateDNSRecord, always
// sends "settings": {} (a struct field, which omitempty never leaves out),
// and "tags": null for no tags (TestSDKUpdateDNSRecordBody).
type recordPatch struct {
	ID      string   `json:"id,omitempty"`
	Content string   `json:"content"`
	Proxied bool     `json:"proxied"`
	TTL     int      `json:"ttl"`
	Comment string   `json:"comment"`
	Tags    []string `json:"tags"`
}

// recordPost is a create. Tags is always an array. SDK defect worked
// around: CreateDNSRecordParams, the body of the SDK's CreateDNSRecord,
// sends "created_on" and "modified_on" as zero times and "settings": {},
// fields flarewarden never sends (TestSDKCreateDNSRecordBody).
type recordPost struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Content string   `json:"content"`
	Proxied bool     `json:"proxied"`
	TTL     int      `json:"ttl"`
	Comment string   `json:"comment"`
	Tags    []string `json:"tags"`
}

// batchOf builds the batch body of a chunk of valid changes.
func batchOf(chunk []controller.Change) batchBody {
	var b batchBody
	for _, ch := range chunk {
		switch ch.Action {
		case controller.ActionDelete:
			b.Deletes = append(b.Deletes, recordRef{ID: ch.Before.ID})
		case controller.ActionUpdate:
			b.Patches = append(b.Patches, patchOf(ch))
		case controller.ActionCreate:
			b.Posts = append(b.Posts, postOf(ch))
		}
	}
	return b
}

func patchOf(ch controller.Change) recordPatch {
	a := ch.After
	return recordPatch{ID: updateID(ch), Content: a.Content, Proxied: a.Proxied, TTL: ttlOf(a.TTL),
		Comment: a.Comment, Tags: tagsOf(a.Tags)}
}

// postOf builds a create; the record's own name and type win over the change's.
func postOf(ch controller.Change) recordPost {
	a := ch.After
	return recordPost{Type: orDefault(a.Type, changeType(ch)), Name: orDefault(controller.NormalizeName(a.Name), changeName(ch)),
		Content: a.Content, Proxied: a.Proxied, TTL: ttlOf(a.TTL), Comment: a.Comment, Tags: tagsOf(a.Tags)}
}

// chunkByName splits changes into chunks of at most size changes, keeping
// all changes of one name in one chunk (a name with more than size changes
// gets a chunk of its own). Names keep the order of their first change;
// changes of a name keep their order.
func chunkByName(changes []controller.Change, size int) [][]controller.Change {
	var chunks [][]controller.Change
	var cur []controller.Change
	for _, group := range groupByName(changes) {
		if len(cur) > 0 && len(cur)+len(group) > size {
			chunks, cur = append(chunks, cur), nil
		}
		cur = append(cur, group...)
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

func groupByName(changes []controller.Change) [][]controller.Change {
	index := map[string]int{}
	var groups [][]controller.Change
	for _, ch := range changes {
		name := changeName(ch)
		i, ok := index[name]
		if !ok {
			i = len(groups)
			index[name] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], ch)
	}
	return groups
}

// checkChange returns why a change cannot be sent, or "".
func checkChange(zone controller.Zone, ch controller.Change) string {
	if ch.Zone.ID != "" && ch.Zone.ID != zone.ID {
		return "change belongs to zone " + zoneLabel(ch.Zone)
	}
	switch ch.Action {
	case controller.ActionCreate:
		if ch.After == nil || changeName(ch) == "" || changeType(ch) == "" {
			return "create without a record name and type"
		}
	case controller.ActionUpdate:
		if ch.After == nil || updateID(ch) == "" {
			return "update without a record id"
		}
	case controller.ActionDelete:
		if ch.Before == nil || ch.Before.ID == "" {
			return "delete without a record id"
		}
	default:
		return fmt.Sprintf("unknown action %q", ch.Action)
	}
	return ""
}

// changeName is the normalized name a change concerns.
func changeName(ch controller.Change) string {
	switch {
	case ch.Name != "":
		return controller.NormalizeName(ch.Name)
	case ch.After != nil:
		return controller.NormalizeName(ch.After.Name)
	case ch.Before != nil:
		return controller.NormalizeName(ch.Before.Name)
	}
	return ""
}

// changeType is the record type a change concerns.
func changeType(ch controller.Change) string {
	switch {
	case ch.Type != "":
		return ch.Type
	case ch.After != nil:
		return ch.After.Type
	case ch.Before != nil:
		return ch.Before.Type
	}
	return ""
}

// changeLabel names a change's record in errors: "home.example.com A".
func changeLabel(ch controller.Change) string {
	return strings.TrimSpace(changeName(ch) + " " + changeType(ch))
}

// chunkLabel names the records of a chunk, truncated after a few.
func chunkLabel(chunk []controller.Change) string {
	labels := make([]string, 0, chunkLabelNames)
	for _, ch := range chunk[:min(len(chunk), chunkLabelNames)] {
		labels = append(labels, changeLabel(ch))
	}
	s := "[" + strings.Join(labels, ", ")
	if more := len(chunk) - chunkLabelNames; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s + "]"
}

func updateID(ch controller.Change) string {
	if ch.After != nil && ch.After.ID != "" {
		return ch.After.ID
	}
	if ch.Before != nil {
		return ch.Before.ID
	}
	return ""
}

func ttlOf(ttl int) int {
	if ttl <= 0 {
		return autoTTL
	}
	return ttl
}

func tagsOf(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}
