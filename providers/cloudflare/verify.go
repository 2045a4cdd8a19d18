package cloudflare

import (
	"context"
	"fmt"
	"net/http"
)

// tokenActive is the status of a usable token.
const tokenActive = "active"

// Verify checks that the token works, before anything is written. It asks
// GET /user/tokens/verify; a token that endpoint rejects as unauthorized may
// be an account-owned token, which it does not know, and an API gateway or
// proxy in front of Cloudflare may not serve the endpoint at all (404), so
// Verify then lists the zones: only if that is refused (401/403) is the
// token invalid, and the error says so and where the token comes from. A
// token whose status is not active is an error as well. Other failures
// come back as they are (IsAuth false, Temporary as usual).
func (c *Client) Verify(ctx context.Context) error {
	body, err := c.api.VerifyAPIToken(ctx)
	if err == nil {
		if body.Status != tokenActive {
			return &APIError{Op: "verify token", Err: fmt.Errorf("cloudflare api token status is %q, not %q", body.Status, tokenActive)}
		}
		return nil
	}
	verr := c.apiError(err, "verify token", "", "")
	switch {
	case verr.Status == http.StatusNotFound:
		c.log.Warn("token verify endpoint not found, checking the token with the zone listing")
	case !IsAuth(verr):
		return verr
	}
	gen := c.zones.generation()
	zones, err := c.listZones(ctx)
	if err != nil {
		zerr := c.apiError(err, "list zones", "", "")
		if IsAuth(zerr) {
			return fmt.Errorf("cloudflare api token rejected (check CLOUDFLARE_API_TOKEN / api_token_file): %w", zerr)
		}
		return zerr
	}
	c.zones.put(gen, zones)
	return nil
}
