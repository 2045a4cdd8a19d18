package sim

import (
	"net/http"
	"slices"
	"time"
)

// defaultSecurityLevel is a new zone's security level.
const defaultSecurityLevel = "medium"

// settingSecurityLevel is the only zone setting the simulator models.
const settingSecurityLevel = "security_level"

// securityLevels are the values of the security_level setting; under_attack
// is "I'm Under Attack" mode.
var securityLevels = []string{"off", "essentially_off", "low", "medium", "high", "under_attack"}

// setting is the stored state of one zone setting.
type setting struct {
	value      string
	modifiedOn time.Time
}

// settingJSON is the API's zone setting object.
type settingJSON struct {
	ID         string    `json:"id"`
	Value      string    `json:"value"`
	Editable   bool      `json:"editable"`
	ModifiedOn time.Time `json:"modified_on"`
}

// SecurityLevel returns the zone's security_level ("" for an unknown zone).
func (s *Server) SecurityLevel(zone string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if z := s.zoneByName(zone); z != nil {
		return z.security.value
	}
	return ""
}

// SetSecurityLevel sets the zone's security_level, like a change in the
// dashboard (not logged). level must be one of off, essentially_off, low,
// medium, high, under_attack.
func (s *Server) SetSecurityLevel(zone, level string) error {
	z, unlock, zerr := s.lockZone(zone)
	if zerr != nil {
		return zerr
	}
	defer unlock()
	if err := setSecurityLevel(z, level, s.now()); err != nil {
		return err
	}
	return nil
}

func setSecurityLevel(z *zoneState, level string, now time.Time) *apiError {
	if !slices.Contains(securityLevels, level) {
		return newError(http.StatusBadRequest, codeSettingValue, "Invalid value for zone setting security_level: %q", level)
	}
	z.security = setting{value: level, modifiedOn: now}
	return nil
}

// settingInput is the body of PATCH .../settings/{setting}.
type settingInput struct {
	Value optional[string] `json:"value"`
}

// getSetting answers GET /zones/{zone}/settings/{setting}.
func (s *Server) getSetting(c *call) (reply, *apiError) {
	if err := checkSetting(c); err != nil {
		return reply{}, err
	}
	return reply{result: securityView(c.zone)}, nil
}

// patchSetting answers PATCH /zones/{zone}/settings/{setting} with body
// {"value": ...}; a missing or invalid value is a 400 (code 1007).
func (s *Server) patchSetting(c *call) (reply, *apiError) {
	if err := checkSetting(c); err != nil {
		return reply{}, err
	}
	var in settingInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	if err := setSecurityLevel(c.zone, in.Value.value, s.now()); err != nil {
		return reply{}, err
	}
	return reply{result: securityView(c.zone)}, nil
}

// checkSetting answers settings the simulator does not model like an
// unknown route: 404, code 7000.
func checkSetting(c *call) *apiError {
	if c.params["setting"] != settingSecurityLevel {
		return newError(http.StatusNotFound, codeNoRoute, "No route for that URI: the simulator models only the security_level setting")
	}
	return nil
}

func securityView(z *zoneState) settingJSON {
	return settingJSON{ID: settingSecurityLevel, Value: z.security.value, Editable: true, ModifiedOn: z.security.modifiedOn}
}
