package controller

import (
	"errors"
	"fmt"
	"testing"
)

// requestErr names its failed request, as the Cloudflare adapter's errors do.
type requestErr struct{}

func (requestErr) Error() string {
	return "batch write [home.example.com A] in zone example.com: HTTP 400"
}
func (requestErr) FailedRequest() string {
	return "batch write [home.example.com A] in zone example.com"
}

func TestWithContext(t *testing.T) {
	plain := errors.New("HTTP 400")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"plain error gets the context", plain, "apply 1 changes in zone example.com: HTTP 400"},
		{"wrapped plain error gets it", fmt.Errorf("decode: %w", plain), "apply 1 changes in zone example.com: decode: HTTP 400"},
		{"named request kept as is", requestErr{}, requestErr{}.Error()},
		{"named request inside a wrap", fmt.Errorf("zone example.com has reached its rule limit: %w", requestErr{}),
			"zone example.com has reached its rule limit: " + requestErr{}.Error()},
		{"named request inside a join", errors.Join(ErrRuleLimit, requestErr{}), ErrRuleLimit.Error() + "\n" + requestErr{}.Error()},
	}
	for _, tt := range tests {
		if got := WithContext(tt.err, "apply 1 changes in zone example.com"); got.Error() != tt.want || !errors.Is(got, tt.err) {
			t.Errorf("%s: WithContext = %q, want %q wrapping the error", tt.name, got, tt.want)
		}
	}
	if WithContext(nil, "list zones") != nil {
		t.Error("WithContext(nil) != nil")
	}
}
