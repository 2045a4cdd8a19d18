package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// TestCloudflareGoClient drives the simulator with the SDK the adapter uses,
// through the exported API only.
func TestCloudflareGoClient(t *testing.T) {
	s, api := sdkOnSim(t)
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

// TestCloudflareGoWAF drives the rulesets, settings, access rules and lists
// endpoints with the SDK the adapter uses, through the exported API only.
func TestCloudflareGoWAF(t *testing.T) {
	s, api := sdkOnSim(t)
	ctx := context.Background()
	zoneID := s.Zones()[0].ID
	zone := cloudflare.ZoneIdentifier(zoneID)

	_, err := api.GetEntrypointRuleset(ctx, zone, "http_request_firewall_custom")
	var cfErr *cloudflare.Error
	if !errors.As(err, &cfErr) || !cfErr.InternalErrorCodeIs(10003) || cfErr.StatusCode != 404 {
		t.Fatalf("missing entrypoint: %v", err)
	}
	enabled := true
	rs, err := api.UpdateEntrypointRuleset(ctx, zone, cloudflare.UpdateEntrypointRulesetParams{
		Phase: "http_request_firewall_custom",
		Rules: []cloudflare.RulesetRule{{Ref: "fw", Action: "skip", Expression: "(ip.src in {203.0.113.7})", Enabled: &enabled,
			ActionParameters: &cloudflare.RulesetRuleActionParameters{Ruleset: "current", Products: []string{"securityLevel"}}}},
	})
	if err != nil || len(rs.Rules) != 1 || *rs.Version != "1" || rs.Rules[0].ActionParameters.Products[0] != "securityLevel" {
		t.Fatalf("UpdateEntrypointRuleset = %+v, %v", rs, err)
	}
	_, err = api.UpdateEntrypointRuleset(ctx, zone, cloudflare.UpdateEntrypointRulesetParams{
		Phase: "http_request_firewall_custom",
		Rules: []cloudflare.RulesetRule{{Action: "skip", Expression: "true",
			ActionParameters: &cloudflare.RulesetRuleActionParameters{Products: []string{string(cloudflare.RulesetActionParameterProductZoneLockdown)}}}},
	})
	if !errors.As(err, &cfErr) || !cfErr.InternalErrorCodeIs(20119) {
		t.Errorf("SDK product constant: %v, want code 20119", err)
	}
	raw, err := api.Raw(ctx, "POST", fmt.Sprintf("/zones/%s/rulesets/%s/rules", zoneID, rs.ID),
		map[string]any{"action": "block", "expression": "ip.src eq 192.0.2.1", "position": map[string]any{"after": ""}}, nil)
	if err != nil || len(raw.Result) == 0 {
		t.Fatalf("POST rule: %v", err)
	}

	setting, err := api.UpdateZoneSetting(ctx, zone, cloudflare.UpdateZoneSettingParams{Name: "security_level", Value: "under_attack"})
	if err != nil || setting.Value != "under_attack" {
		t.Fatalf("UpdateZoneSetting = %+v, %v", setting, err)
	}
	if setting, err = api.GetZoneSetting(ctx, zone, cloudflare.GetZoneSettingParams{Name: "security_level"}); err != nil || setting.Value != "under_attack" {
		t.Fatalf("GetZoneSetting = %+v, %v", setting, err)
	}

	ar, err := api.CreateZoneAccessRule(ctx, zoneID, cloudflare.AccessRule{Mode: "whitelist", Notes: "script",
		Configuration: cloudflare.AccessRuleConfiguration{Target: "ip", Value: "203.0.113.7"}})
	if err != nil || ar.Result.Scope.Type != "zone" {
		t.Fatalf("CreateZoneAccessRule = %+v, %v", ar, err)
	}
	listed, err := api.ListZoneAccessRules(ctx, zoneID, cloudflare.AccessRule{Configuration: cloudflare.AccessRuleConfiguration{Target: "ip"}}, 1)
	if err != nil || len(listed.Result) != 1 || listed.Result[0].ID != ar.Result.ID {
		t.Fatalf("ListZoneAccessRules = %+v, %v", listed, err)
	}

	account := cloudflare.AccountIdentifier(sim.DefaultAccountID)
	list, err := api.CreateList(ctx, account, cloudflare.ListCreateParams{Name: "scripts", Kind: "ip"})
	if err != nil {
		t.Fatal(err)
	}
	var items []cloudflare.ListItemCreateRequest
	for i := range 30 {
		ip := fmt.Sprintf("192.0.2.%d", i)
		items = append(items, cloudflare.ListItemCreateRequest{IP: &ip})
	}
	op, err := api.CreateListItemsAsync(ctx, account, cloudflare.ListCreateItemsParams{ID: list.ID, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pending", "completed"} {
		if got, err := api.GetListBulkOperation(ctx, account, op.Result.OperationID); err != nil || got.Status != want {
			t.Fatalf("GetListBulkOperation = %+v, %v; want %s", got, err, want)
		}
	}
	got, err := api.ListListItems(ctx, account, cloudflare.ListListItemsParams{ID: list.ID, PerPage: 7})
	if err != nil || len(got) != 30 || *got[29].IP != "192.0.2.29" {
		t.Fatalf("ListListItems = %d items, %v", len(got), err)
	}
}

// sdkOnSim serves a simulator holding zone example.com and token "tok" on
// loopback and returns it with a cloudflare-go client of that token.
func sdkOnSim(t *testing.T) (*sim.Server, *cloudflare.API) {
	t.Helper()
	s := sim.New()
	s.AddToken("tok", sim.TokenOptions{})
	s.AddZone("example.com")
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	api, err := cloudflare.NewWithAPIToken("tok", cloudflare.BaseURL(srv.URL+"/client/v4"), cloudflare.UsingRateLimit(1000))
	if err != nil {
		t.Fatal(err)
	}
	return s, api
}
