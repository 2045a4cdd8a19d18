package sim

import (
	"net/http"
	"time"
)

// batchBody is the request of POST /zones/{zone}/dns_records/batch.
type batchBody struct {
	Deletes []recordInput `json:"deletes"`
	Patches []recordInput `json:"patches"`
	Puts    []recordInput `json:"puts"`
	Posts   []recordInput `json:"posts"`
}

// batchResult is its result: deleted records as they were, and the records
// patched, put and posted as they now are. All four arrays are always present.
type batchResult struct {
	Deletes []Record `json:"deletes"`
	Patches []Record `json:"patches"`
	Puts    []Record `json:"puts"`
	Posts   []Record `json:"posts"`
}

// batchRecords answers POST /zones/{zone}/dns_records/batch: deletes, then
// patches, then puts, then posts, each validated as its single call would
// be, against a copy of the zone that is committed only if every operation
// succeeds. Any failure is a 400 carrying that operation's error, and
// nothing changes (not even the record id counter).
func (s *Server) batchRecords(c *call) (reply, *apiError) {
	if !s.batch {
		return reply{}, errNoRoute()
	}
	var in batchBody
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	if n := len(in.Deletes) + len(in.Patches) + len(in.Puts) + len(in.Posts); n > s.batchLimit {
		return reply{}, newError(http.StatusBadRequest, codeBatchTooLarge,
			"Batch has %d operations; at most %d are allowed per request.", n, s.batchLimit)
	}
	work, seq := c.zone.clone(), s.recordSeq
	res, err := s.applyBatch(work, in, s.now())
	if err != nil {
		s.recordSeq = seq
		err.Status = http.StatusBadRequest
		return reply{}, err
	}
	c.zone.records = work.records
	return reply{result: res}, nil
}

// applyBatch runs the batch's operations in order on work.
func (s *Server) applyBatch(work *zoneState, in batchBody, now time.Time) (batchResult, *apiError) {
	res := batchResult{Deletes: []Record{}, Patches: []Record{}, Puts: []Record{}, Posts: []Record{}}
	steps := []struct {
		ops []recordInput
		out *[]Record
		do  func(recordInput) (Record, *apiError)
	}{
		{in.Deletes, &res.Deletes, func(op recordInput) (Record, *apiError) { return removeRecord(work, op.ID) }},
		{in.Patches, &res.Patches, func(op recordInput) (Record, *apiError) { return s.patchRecordIn(work, op.ID, op, now) }},
		{in.Puts, &res.Puts, func(op recordInput) (Record, *apiError) { return s.putRecordIn(work, op.ID, op, now) }},
		{in.Posts, &res.Posts, func(op recordInput) (Record, *apiError) { return s.createRecordIn(work, op, now) }},
	}
	for _, st := range steps {
		for _, op := range st.ops {
			r, err := st.do(op)
			if err != nil {
				return batchResult{}, err
			}
			*st.out = append(*st.out, r)
		}
	}
	return res, nil
}
