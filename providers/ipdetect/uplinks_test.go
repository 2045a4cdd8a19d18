package ipdetect

import (
	"context"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// oneStatic is a family whose one source is static:addr.
func oneStatic(addr string) FamilyConfig {
	return FamilyConfig{Enabled: true, Sources: []string{"static:" + addr}, Quorum: 1}
}

// disagree4 is an ipv4 family whose sources never reach its quorum.
var disagree4 = FamilyConfig{Enabled: true, Sources: []string{"static:203.0.113.7", "static:203.0.113.8"}, Quorum: 2}

func TestNewUplinksErrors(t *testing.T) {
	ok := Config{V4: oneStatic("203.0.113.7")}
	tests := []struct {
		name string
		give []Uplink
		want string // "" means valid
	}{
		{"two uplinks", []Uplink{{"fiber", ok}, {"lte", ok}}, ""},
		{"none", nil, "uplinks: at least one uplink is needed"},
		{"quorum", []Uplink{{"fiber", ok}, {"lte", Config{V4: FamilyConfig{Enabled: true, Sources: []string{"static:203.0.113.9"}}}}},
			"uplinks[1].ipv4.quorum: 0 is less than 1"},
		{"bind", []Uplink{{"fiber", ok}, {"lte", Config{V6: oneStatic("2001:db8::9"), Bind: Bind{Address: netip.MustParseAddr("192.0.2.1")}}}},
			"uplinks[1].bind.address: 192.0.2.1 is IPv4, ipv6 sources cannot go out through it"},
		{"no name", []Uplink{{"", ok}}, "uplinks[0].name: an uplink needs a name"},
		{"same name", []Uplink{{"fiber", ok}, {"lte", ok}, {"fiber", ok}}, `uplinks[2].name: "fiber" is already the name of uplinks[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := NewUplinks(tt.give)
			wantBuilt(t, u, err, tt.want)
		})
	}
}

func TestNewUplinksPrefixesEveryProblem(t *testing.T) {
	bad := Config{V4: FamilyConfig{Enabled: true, Sources: []string{"foo"}, Quorum: 2}, V6: FamilyConfig{Enabled: true, Quorum: 1}, Timeout: -1}
	_, err := NewUplinks([]Uplink{{"fiber", Config{}}, {"lte", bad}})
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	for _, want := range []string{"uplinks[1].timeout: ", "uplinks[1].ipv4.sources[0]: ", "uplinks[1].ipv4.quorum: ", "uplinks[1].ipv6.sources: ", "uplinks[1].ipv6.quorum: "} {
		wantErr(t, err, want)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "uplinks[1].") {
			t.Errorf("line %q does not name the uplink", l)
		}
	}
	if len(lines) != 5 {
		t.Errorf("%d problems, want 5:\n%v", len(lines), err)
	}
}

// family says how an uplink's result of one family must come out: its
// state and, when known, its address.
type family struct {
	state controller.AddressState
	addr  string
}

func TestUplinksDetectChoosesFirstKnown(t *testing.T) {
	known := func(a string) family { return family{controller.StateKnown, a} }
	unknown, disabled := family{state: controller.StateUnknown}, family{state: controller.StateDisabled}
	tests := []struct {
		name         string
		fiber, lte   Config
		wantV4       family
		wantV6       family
		wantV4Uplink int // index of the uplink whose ipv4 result is the detection's
	}{
		{"both know: the first", Config{V4: oneStatic("203.0.113.7")}, Config{V4: oneStatic("203.0.113.9"), V6: oneStatic("2001:db8::9")},
			known("203.0.113.7"), known("2001:db8::9"), 0},
		{"first unknown: the second", Config{V4: disagree4}, Config{V4: oneStatic("203.0.113.9")},
			known("203.0.113.9"), disabled, 1},
		{"none knows: the first's", Config{V4: disagree4}, Config{},
			unknown, disabled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := NewUplinks([]Uplink{{"fiber", tt.fiber}, {"lte", tt.lte}})
			if err != nil {
				t.Fatal(err)
			}
			det := u.Detect(context.Background())
			if len(det.Uplinks) != 2 || det.Uplinks[0].Name != "fiber" || det.Uplinks[1].Name != "lte" {
				t.Fatalf("uplinks %+v, want fiber then lte", det.Uplinks)
			}
			wantFamily(t, det.V4, tt.wantV4)
			wantFamily(t, det.V6, tt.wantV6)
			if chosen := det.Uplinks[tt.wantV4Uplink].V4; !reflect.DeepEqual(det.V4, chosen) {
				t.Errorf("ipv4 = %+v, want uplinks[%d]'s %+v", det.V4, tt.wantV4Uplink, chosen)
			}
		})
	}
}

func wantFamily(t *testing.T, r controller.FamilyResult, want family) {
	t.Helper()
	if r.State != want.state || (want.addr != "" && r.Addr != netip.MustParseAddr(want.addr)) {
		t.Errorf("%s = %+v, want %s %s", r.Family, r, want.state, want.addr)
	}
}

// togetherEcho answers as remoteEcho once n requests wait together, and
// 503 to a request left alone for wait: it proves they were sent at once.
func togetherEcho(n int, wait time.Duration) http.HandlerFunc {
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	return func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		select {
		case <-all:
			remoteEcho(w, r)
		case <-time.After(wait):
			http.Error(w, "alone", http.StatusServiceUnavailable)
		}
	}
}

// TestUplinksDetectEachThroughItsBind asks one echo server through two
// uplinks bound to different loopback addresses, which it answers only
// when both ask at once.
func TestUplinksDetectEachThroughItsBind(t *testing.T) {
	needSourceAddr(t, "127.0.0.2")
	src := "url:" + newServer(t, togetherEcho(2, 2*time.Second)).URL
	up := func(name, from string) Uplink {
		return Uplink{name, Config{V4: privateV4(src), Bind: Bind{Address: netip.MustParseAddr(from)}}}
	}
	u, err := NewUplinks([]Uplink{up("fiber", "127.0.0.1"), up("lte", "127.0.0.2")})
	if err != nil {
		t.Fatal(err)
	}
	det := u.Detect(context.Background())
	wantKnown(t, det.Uplinks[0].V4, "127.0.0.1")
	wantKnown(t, det.Uplinks[1].V4, "127.0.0.2")
	wantKnown(t, det.V4, "127.0.0.1")
}
