package cloudflare

import (
	"context"
	"fmt"
	"net/url"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// securityLevelID is the id of the zone setting that holds Under Attack mode.
const securityLevelID = "security_level"

// SecurityLevel returns the zone's security level, such as "medium" or
// "under_attack" (GET /zones/{id}/settings/security_level, result.value).
// An answer whose value is not a non-empty string, or that names another
// setting, is a temporary malformed-answer error naming the zone.
func (c *Client) SecurityLevel(ctx context.Context, zone controller.Zone) (string, error) {
	const op = "read security level"
	if err := checkZone(op, zone); err != nil {
		return "", err
	}
	level, err := c.settingValue(ctx, zone.ID, securityLevelID)
	if err != nil {
		return "", c.zoneError(err, op, zone, "")
	}
	return level, nil
}

// settingValue reads the string value of the zone setting id with the
// SDK's GetZoneSetting.
func (c *Client) settingValue(ctx context.Context, zoneID, id string) (string, error) {
	s, err := c.api.GetZoneSetting(ctx, zoneRC(zoneID), cf.GetZoneSettingParams{Name: url.PathEscape(id)})
	if err != nil {
		return "", err
	}
	if s.ID != "" && s.ID != id {
		return "", fmt.Errorf("%w: setting %q instead of %q", errMalformed, s.ID, id)
	}
	v, ok := s.Value.(string)
	if !ok || v == "" {
		return "", fmt.Errorf("%w: setting %s without a string value", errMalformed, id)
	}
	return v, nil
}
