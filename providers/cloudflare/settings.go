package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/flarewarden/flarewarden/controller"
)

// securityLevelID is the id of the zone setting that holds Under Attack mode.
const securityLevelID = "security_level"

// apiSetting is a zone setting as GET /zones/{id}/settings/{name} answers it.
type apiSetting struct {
	ID    string          `json:"id"`
	Value json.RawMessage `json:"value"`
}

// SecurityLevel returns the zone's security level, such as "medium" or
// "under_attack" (GET /zones/{id}/settings/security_level, result.value).
// An answer whose value is not a non-empty string, or that names another
// setting, is a temporary malformed-answer error naming the zone.
func (c *Client) SecurityLevel(ctx context.Context, zone controller.Zone) (string, error) {
	const op = "read security level"
	if err := checkZone(op, zone); err != nil {
		return "", err
	}
	r, err := c.call(ctx, http.MethodGet, zonePath(zone.ID)+"/settings/"+securityLevelID, nil)
	var level string
	if err == nil {
		level, err = settingValue(r.Result, securityLevelID)
	}
	if err != nil {
		return "", c.zoneError(err, op, zone, "")
	}
	return level, nil
}

// settingValue decodes the string value of the setting id.
func settingValue(raw json.RawMessage, id string) (string, error) {
	var s apiSetting
	if err := decode(raw, &s); err != nil {
		return "", err
	}
	if s.ID != "" && s.ID != id {
		return "", fmt.Errorf("%w: setting %q instead of %q", errMalformed, s.ID, id)
	}
	var v string
	if json.Unmarshal(s.Value, &v) != nil || v == "" {
		return "", fmt.Errorf("%w: setting %s without a string value", errMalformed, id)
	}
	return v, nil
}
