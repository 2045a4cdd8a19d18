package sim

import (
	"strings"
	"time"
)

// zonePaging: GET /zones defaults to 20 per page, 5..50.
var zonePaging = pageLimits{def: 20, min: 5, max: 50}

// zoneJSON is the API's zone object: every field the OpenAPI zone schema
// requires, plus status/paused/type/permissions/plan that the API adds.
type zoneJSON struct {
	ID                  string      `json:"id"`
	Name                string      `json:"name"`
	Status              string      `json:"status"`
	Paused              bool        `json:"paused"`
	Type                string      `json:"type"`
	DevelopmentMode     int         `json:"development_mode"`
	NameServers         []string    `json:"name_servers"`
	OriginalNameServers []string    `json:"original_name_servers"`
	OriginalRegistrar   *string     `json:"original_registrar"`
	OriginalDNSHost     *string     `json:"original_dnshost"`
	CreatedOn           time.Time   `json:"created_on"`
	ModifiedOn          time.Time   `json:"modified_on"`
	ActivatedOn         time.Time   `json:"activated_on"`
	Meta                zoneMeta    `json:"meta"`
	Owner               zoneOwner   `json:"owner"`
	Account             zoneAccount `json:"account"`
	Permissions         []string    `json:"permissions"`
	Plan                zonePlan    `json:"plan"`
}

type zoneMeta struct {
	Step                   int  `json:"step"`
	CustomCertificateQuota int  `json:"custom_certificate_quota"`
	PageRuleQuota          int  `json:"page_rule_quota"`
	PhishingDetected       bool `json:"phishing_detected"`
}

type zoneOwner struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
}

type zoneAccount struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type zonePlan struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Price             int    `json:"price"`
	Currency          string `json:"currency"`
	Frequency         string `json:"frequency"`
	IsSubscribed      bool   `json:"is_subscribed"`
	CanSubscribe      bool   `json:"can_subscribe"`
	LegacyID          string `json:"legacy_id"`
	LegacyDiscount    bool   `json:"legacy_discount"`
	ExternallyManaged bool   `json:"externally_managed"`
}

// freePlan is the plan of every simulated zone.
var freePlan = zonePlan{
	ID: "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", Name: "Free Website", Currency: "USD",
	IsSubscribed: true, LegacyID: "free",
}

// zoneView renders z, owned by the account named account, as the API does
// for token t (permissions follow the token).
func zoneView(z Zone, account string, t *token) zoneJSON {
	perms := []string{"#dns_records:read", "#zone:read"}
	if !t.readOnly {
		perms = append(perms, "#dns_records:edit", "#zone:edit")
	}
	return zoneJSON{
		ID: z.ID, Name: z.Name, Status: z.Status, Type: "full",
		NameServers: []string{"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"},
		CreatedOn:   z.CreatedOn, ModifiedOn: z.CreatedOn, ActivatedOn: z.CreatedOn,
		Meta:        zoneMeta{Step: 2, PageRuleQuota: 3},
		Owner:       zoneOwner{ID: DefaultAccountID, Type: "user", Name: "sim"},
		Account:     zoneAccount{ID: z.Account, Name: account},
		Permissions: perms,
		Plan:        freePlan,
	}
}

// listZones answers GET /zones: the zones the token can see, sorted by
// name, filtered by name (exact, case-insensitive) and status, paginated.
func (s *Server) listZones(c *call) (reply, *apiError) {
	p, err := parsePage(c.query, zonePaging)
	if err != nil {
		return reply{}, err
	}
	name, status := c.query.Get("name"), c.query.Get("status")
	var out []zoneJSON
	for _, z := range s.sortedZones() {
		if !c.token.canSee(z.zone.Name) ||
			name != "" && !strings.EqualFold(normalizeZoneName(name), z.zone.Name) ||
			status != "" && status != z.zone.Status {
			continue
		}
		out = append(out, zoneView(z.zone, s.accountName(z.zone.Account), c.token))
	}
	items, info := paginate(out, p)
	return reply{result: items, info: info}, nil
}

// getZone answers GET /zones/{zone}; dispatch has resolved the zone.
func (s *Server) getZone(c *call) (reply, *apiError) {
	return reply{result: zoneView(c.zone.zone, s.accountName(c.zone.zone.Account), c.token)}, nil
}
