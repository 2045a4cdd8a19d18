package sim

import "time"

// The functions in this file change one zone's records. Single API calls
// pass the live zone, a batch passes a working copy, and the Go API passes
// the live zone too; all share the same validation.

// store validates r as a record of z and saves it under id: replacing the
// record id when it exists (keeping its created_on), creating it otherwise
// (a new counter-derived id when id is empty). The caller holds s.mu.
func (s *Server) store(z *zoneState, r Record, id string, now time.Time) (Record, *apiError) {
	v, err := validate(z, r, id)
	if err != nil {
		return Record{}, err
	}
	if old, ok := z.records[id]; ok {
		v.CreatedOn = old.CreatedOn
	} else {
		if id == "" {
			id = s.newRecordID(z)
		}
		v.CreatedOn = now
	}
	v.ID, v.ModifiedOn = id, now
	z.records[id] = v
	return v, nil
}

// createRecordIn creates a record from a POST body (ttl defaults to 1).
func (s *Server) createRecordIn(z *zoneState, in recordInput, now time.Time) (Record, *apiError) {
	return s.store(z, in.overlay(Record{TTL: 1}), "", now)
}

// putRecordIn replaces record id with a PUT body: fields absent from the
// body take their defaults, so an absent comment or tags clears them.
func (s *Server) putRecordIn(z *zoneState, id string, in recordInput, now time.Time) (Record, *apiError) {
	if _, ok := z.records[id]; !ok {
		return Record{}, errRecordNotFound()
	}
	return s.store(z, in.overlay(Record{TTL: 1}), id, now)
}

// patchRecordIn changes the fields of record id that a PATCH body sets.
func (s *Server) patchRecordIn(z *zoneState, id string, in recordInput, now time.Time) (Record, *apiError) {
	old, ok := z.records[id]
	if !ok {
		return Record{}, errRecordNotFound()
	}
	return s.store(z, in.overlay(old), id, now)
}

// removeRecord deletes record id and returns it as it was.
func removeRecord(z *zoneState, id string) (Record, *apiError) {
	old, ok := z.records[id]
	if !ok {
		return Record{}, errRecordNotFound()
	}
	delete(z.records, id)
	return old, nil
}
