package sim

// Handlers of the single-record DNS endpoints. Dispatch has resolved
// c.zone and checked write permission.

// deletedRecord is the result of DELETE .../dns_records/{record}.
type deletedRecord struct {
	ID string `json:"id"`
}

// getRecord answers GET /zones/{zone}/dns_records/{record}.
func (s *Server) getRecord(c *call) (reply, *apiError) {
	r, ok := c.zone.records[c.params["record"]]
	if !ok {
		return reply{}, errRecordNotFound()
	}
	return reply{result: r}, nil
}

// createRecord answers POST /zones/{zone}/dns_records.
func (s *Server) createRecord(c *call) (reply, *apiError) {
	var in recordInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	return recordReply(s.createRecordIn(c.zone, in, s.now()))
}

// patchRecord answers PATCH /zones/{zone}/dns_records/{record}: only the
// fields present in the body change; "tags": null clears the tags.
func (s *Server) patchRecord(c *call) (reply, *apiError) {
	var in recordInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	return recordReply(s.patchRecordIn(c.zone, c.params["record"], in, s.now()))
}

// putRecord answers PUT /zones/{zone}/dns_records/{record}: the body
// replaces the record.
func (s *Server) putRecord(c *call) (reply, *apiError) {
	var in recordInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	return recordReply(s.putRecordIn(c.zone, c.params["record"], in, s.now()))
}

// deleteRecord answers DELETE /zones/{zone}/dns_records/{record} with the
// deleted id. A body, if any, is ignored.
func (s *Server) deleteRecord(c *call) (reply, *apiError) {
	r, err := removeRecord(c.zone, c.params["record"])
	if err != nil {
		return reply{}, err
	}
	return reply{result: deletedRecord{ID: r.ID}}, nil
}

func recordReply(r Record, err *apiError) (reply, *apiError) {
	if err != nil {
		return reply{}, err
	}
	return reply{result: r}, nil
}
