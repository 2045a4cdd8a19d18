package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// TestCloudflareGoClient drives the simulator with the SDK the adapter uses,
// through the exported API only.
func TestCloudflareGoClient(t *testing.T) {
	s := sim.New()
	s.AddToken("tok", sim.TokenOptions{})
	s.AddZone("example.com")
	srv := httptest.NewServer(s)
	defer srv.Close()
	api, err := cloudflare.NewWithAPIToken("tok", cloudflare.BaseURL(srv.URL+"/client/v4"), cloudflare.UsingRateLimit(1000))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	if v, err := api.VerifyAPIToken(ctx); err != nil || v.Status != "active" {
		t.Fatalf("VerifyAPIToken = %+v, %v", v, err)
	}
	zoneID, err := api.ZoneIDByName("example.com")
	if err != nil || zoneID != s.Zones()[0].ID {
		t.Fatalf("ZoneIDByName = %q, %v", zoneID, err)
	}
	rc := cloudflare.ZoneIdentifier(zoneID)
	proxied := true
	rec, err := api.CreateDNSRecord(ctx, rc, cloudflare.CreateDNSRecordParams{
		Type: "CNAME", Name: "home", Content: "myhome.duckdns.org", Proxied: &proxied, TTL: 1, Tags: []string{"a:b"},
	})
	if err != nil || rec.Name != "home.example.com" || !rec.Proxiable {
		t.Fatalf("CreateDNSRecord = %+v, %v", rec, err)
	}

	_, err = api.CreateDNSRecord(ctx, rc, cloudflare.CreateDNSRecordParams{Type: "A", Name: "home.example.com", Content: "203.0.113.7"})
	var cfErr *cloudflare.Error
	if !errors.As(err, &cfErr) || !cfErr.InternalErrorCodeIs(81054) || cfErr.StatusCode != 400 {
		t.Fatalf("A onto CNAME: %v", err)
	}

	// UpdateDNSRecord always sends "tags"; nil clears them.
	comment := "owned"
	upd, err := api.UpdateDNSRecord(ctx, rc, cloudflare.UpdateDNSRecordParams{ID: rec.ID, Content: "other.example.net", Comment: &comment})
	if err != nil || upd.Content != "other.example.net" || upd.Comment != "owned" || len(upd.Tags) != 0 {
		t.Fatalf("UpdateDNSRecord = %+v, %v", upd, err)
	}

	recs, info, err := api.ListDNSRecords(ctx, rc, cloudflare.ListDNSRecordsParams{Name: "home.example.com"})
	if err != nil || len(recs) != 1 || info.Total != 1 {
		t.Fatalf("ListDNSRecords = %+v, %+v, %v", recs, info, err)
	}

	batch := map[string]any{
		"deletes": []any{map[string]string{"id": rec.ID}},
		"posts":   []any{map[string]any{"type": "A", "name": "home.example.com", "content": "203.0.113.7", "proxied": true}},
	}
	raw, err := api.Raw(ctx, "POST", "/zones/"+zoneID+"/dns_records/batch", batch, nil)
	var res struct{ Posts []cloudflare.DNSRecord }
	if err != nil || json.Unmarshal(raw.Result, &res) != nil || len(res.Posts) != 1 {
		t.Fatalf("batch = %s, %v", raw.Result, err)
	}
	if err := api.DeleteDNSRecord(ctx, rc, res.Posts[0].ID); err != nil {
		t.Fatal(err)
	}
	if left := s.Records("example.com"); len(left) != 0 {
		t.Errorf("records left: %+v", left)
	}
}
