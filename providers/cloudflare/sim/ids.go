package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// hexID derives a deterministic 32-lower-hex identifier from kind and key,
// shaped like Cloudflare's identifiers.
func hexID(kind, key string) string {
	sum := sha256.Sum256([]byte(kind + "/" + key))
	return hex.EncodeToString(sum[:16])
}

// isHexID reports whether id has the shape of a Cloudflare identifier.
func isHexID(id string) bool {
	return len(id) == 32 && isLowerHex(id)
}

// isLowerHex reports whether s is made of lower-case hex digits only.
func isLowerHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// newRecordID returns the next record identifier: derived from a server-wide
// counter, so runs are reproducible, and unused in every zone and in work
// (a batch's working copy, which may hold records not yet committed).
func (s *Server) newRecordID(work *zoneState) string {
	for {
		s.recordSeq++
		id := hexID("record", fmt.Sprint(s.recordSeq))
		if !s.recordIDTaken(id, work) {
			return id
		}
	}
}

// recordIDTaken reports whether id names a record in any zone or in work.
func (s *Server) recordIDTaken(id string, work *zoneState) bool {
	if _, ok := work.records[id]; ok {
		return true
	}
	for _, z := range s.zones {
		if _, ok := z.records[id]; ok {
			return true
		}
	}
	return false
}

// nextID returns a new identifier of kind derived from the server-wide
// counter of rules, access rules, lists, list items and bulk operations.
// The caller holds s.mu.
func (s *Server) nextID(kind string) string {
	s.idSeq++
	return hexID(kind, fmt.Sprint(s.idSeq))
}
