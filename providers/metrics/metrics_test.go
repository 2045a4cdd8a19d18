package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// softErr is a temporary error, as the Cloudflare adapter returns for 5xx.
type softErr struct{}

func (softErr) Error() string   { return "HTTP 503" }
func (softErr) Temporary() bool { return true }

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func assertHas(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("metrics lack %s", w)
		}
	}
}

func TestObservePass(t *testing.T) {
	m := New()
	zone := controller.Zone{ID: "z1", Name: "example.com"}
	other := controller.Zone{ID: "z2", Name: "example.org"}
	rep := controller.Report{Failed: []string{"example.org"}, Plan: controller.PlanResult{Changes: []controller.Change{
		{Action: controller.ActionCreate, Zone: zone}, {Action: controller.ActionUpdate, Zone: zone},
		{Action: controller.ActionCreate, Zone: other},
	}}}
	m.ObservePass(rep, softErr{}, time.Second)
	m.ObservePass(controller.Report{}, errors.Join(errors.New("x"), softErr{}), time.Second)
	assertHas(t, scrape(t, m), `flarewarden_passes_total{result="soft_error"} 2`, `flarewarden_consecutive_soft_errors 2`,
		`flarewarden_records_changed_total{action="create"} 1`, `flarewarden_records_changed_total{action="update"} 1`,
		`flarewarden_last_successful_pass_timestamp_seconds 0`)
	m.ObservePass(controller.Report{}, errors.New("bad token"), time.Second)
	m.ObservePass(controller.Report{DryRun: true, Plan: rep.Plan}, nil, time.Second)
	out := scrape(t, m)
	assertHas(t, out, `flarewarden_passes_total{result="error"} 1`, `flarewarden_passes_total{result="ok"} 1`,
		`flarewarden_consecutive_soft_errors 0`, `flarewarden_records_changed_total{action="create"} 1`,
		`flarewarden_pass_duration_seconds_count 4`)
	if strings.Contains(out, "flarewarden_last_successful_pass_timestamp_seconds 0\n") {
		t.Error("last success not set")
	}
}

type fixedDetector controller.Detection

func (f fixedDetector) Detect(context.Context) controller.Detection { return controller.Detection(f) }

func TestDetectorCountsAnswers(t *testing.T) {
	m := New()
	det := fixedDetector{
		V4: controller.FamilyResult{State: controller.StateUnknown, Answers: []controller.SourceAnswer{
			{Source: "url:https://ip.example/secret?k=v", Addr: netip.MustParseAddr("203.0.113.7")},
			{Source: "cloudflare-trace", Err: "private", Rejected: true},
			{Source: "cloudflare-doh", Err: "timeout"},
		}},
		V6: controller.FamilyResult{State: controller.StateDisabled},
	}
	m.Detector(det).Detect(context.Background())
	out := scrape(t, m)
	assertHas(t, out, `flarewarden_ip_source_answers_total{family="ipv4",result="ok",source="url:https://ip.example/…"} 1`,
		`flarewarden_ip_source_answers_total{family="ipv4",result="rejected",source="cloudflare-trace"} 1`,
		`flarewarden_ip_source_answers_total{family="ipv4",result="error",source="cloudflare-doh"} 1`,
		`flarewarden_detection_quorum_failures_total{family="ipv4"} 1`)
	if strings.Contains(out, "secret") || strings.Contains(out, `family="ipv6"`) {
		t.Errorf("unexpected labels:\n%s", out)
	}
}

type fixedProber []controller.CheckResult

func (f fixedProber) Probe(context.Context, controller.ProbeInput) []controller.CheckResult { return f }

func TestProberSetsClassGauge(t *testing.T) {
	m := New()
	p := fixedProber{{Check: "home", Edge: controller.Diagnosis{Class: controller.ClassOriginDNSError}}}
	m.Prober(p).Probe(context.Background(), controller.ProbeInput{})
	m.SetLeader(true)
	m.ObserveRequest("/zones", "GET", 200)
	assertHas(t, scrape(t, m), `flarewarden_health_check_class{check="home",class="origin_dns_error"} 1`,
		`flarewarden_health_check_class{check="home",class="ok"} 0`, `flarewarden_leader 1`,
		`flarewarden_cloudflare_requests_total{endpoint="/zones",method="GET",status="200"} 1`)
}

func TestPassSetsUplinkGauge(t *testing.T) {
	m := New()
	m.ObservePass(controller.Report{Uplinks: []controller.UplinkReport{{Name: "fiber", Up: false, Reason: "522"}, {Name: "lte", Up: true}}}, nil, time.Second)
	assertHas(t, scrape(t, m), `flarewarden_uplink_up{uplink="fiber"} 0`, `flarewarden_uplink_up{uplink="lte"} 1`)
}

func TestDetectorCountsEveryUplinksAnswersOnce(t *testing.T) {
	m := New()
	fiber := controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("198.51.100.7"),
		Answers: []controller.SourceAnswer{{Source: "cloudflare-trace", Addr: netip.MustParseAddr("198.51.100.7")}}}
	lte := controller.FamilyResult{State: controller.StateUnknown, Answers: []controller.SourceAnswer{{Source: "cloudflare-trace", Err: "timeout"}}}
	off := controller.FamilyResult{State: controller.StateDisabled}
	m.Detector(fixedDetector{V4: fiber, V6: off, Uplinks: []controller.UplinkDetection{
		{Name: "fiber", V4: fiber, V6: off}, {Name: "lte", V4: lte, V6: off}}}).Detect(context.Background())
	assertHas(t, scrape(t, m), `flarewarden_ip_source_answers_total{family="ipv4",result="ok",source="cloudflare-trace"} 1`,
		`flarewarden_ip_source_answers_total{family="ipv4",result="error",source="cloudflare-trace"} 1`,
		`flarewarden_detection_quorum_failures_total{family="ipv4"} 1`)
}
