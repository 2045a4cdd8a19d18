package service

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/history"
)

func TestRedactHTMLKeepsMarkup(t *testing.T) {
	tests := []struct{ give, want string }{
		{"<td>https://u:pw@x.example/s?k=v</td>", "<td>https://x.example/…</td>"},
		{"<li>Get &#34;https://x.example/s?k=v&amp;t=2&#34;: EOF</li>", "<li>Get &#34;https://x.example/…&#34;: EOF</li>"},
		{`<span class="source">url:https://ip.example=203.0.113.9</span>`, `<span class="source">url:https://ip.example=203.0.113.9</span>`},
		{`<a href="status/history">/status/history</a>`, `<a href="status/history">/status/history</a>`},
	}
	for _, tt := range tests {
		if got := string(redactHTML([]byte(tt.give))); got != tt.want {
			t.Errorf("redactHTML(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestSpan(t *testing.T) {
	tests := []struct {
		give time.Duration
		want string
	}{
		{300 * time.Microsecond, "under 1ms"}, {350 * time.Millisecond, "350ms"}, {1234 * time.Millisecond, "1.2s"},
		{40 * time.Second, "40s"}, {4 * time.Minute, "4m"}, {250 * time.Second, "4m10s"}, {3 * time.Hour, "3h"},
		{3*time.Hour + 2*time.Minute + 5*time.Second, "3h2m"}, {53 * time.Hour, "2d5h"},
	}
	for _, tt := range tests {
		if got := span(tt.give); got != tt.want {
			t.Errorf("span(%v) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestRecordWords(t *testing.T) {
	takeover := []controller.Change{{Action: controller.ActionDelete, Name: "home.example.com", Type: "CNAME",
		Reason: "takeover: CNAME replaced by A", Before: &controller.Record{Content: "myhome.duckdns.org"}}}
	tests := []struct {
		name    string
		give    controller.RecordState
		changes []controller.Change
		want    string
	}{
		{"in sync", controller.RecordState{State: "in_sync"}, nil, "in sync: holds the detected address"},
		{"taken over", controller.RecordState{Name: "home.example.com", State: "changed", Actions: []string{"delete CNAME", "create A"}},
			takeover, "taken over: takeover: the CNAME to myhome.duckdns.org was replaced by the detected address"},
		{"updated", controller.RecordState{State: "changed", Actions: []string{"update A"}}, nil, "updated: the last pass changed it: update A"},
		{"takeover pending", controller.RecordState{State: "cname", Target: "myhome.duckdns.org", Reason: "ipv4 address unknown"}, nil,
			"takeover pending: still a CNAME to myhome.duckdns.org: not taken over yet (ipv4 address unknown)"},
		{"failed", controller.RecordState{State: "failed"}, nil, "failed: its zone could not be read or written in the last pass"},
		{"no pass", controller.RecordState{State: "unknown"}, nil, "unknown: no pass yet"},
		{"unknown address", controller.RecordState{State: "unknown", Reason: "ipv6 address unknown"}, nil,
			"unknown: kept as it was: ipv6 address unknown"},
	}
	for _, tt := range tests {
		state, _, words := recordWords(tt.give, tt.changes)
		if got := state + ": " + words; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestHealthBar(t *testing.T) {
	now := pageNow
	seg := func(c controller.Class, from, to time.Duration) history.Segment {
		return history.Segment{Class: c, From: now.Add(-from), To: now.Add(-to)}
	}
	tests := []struct {
		name string
		segs []history.Segment
		want string // tone and width of each rect
	}{
		{"no data", nil, "none 288"},
		{"ok all day", []history.Segment{seg(controller.ClassOK, 25*time.Hour, 0)}, "good 288"},
		{"a 30 s failure still shows", []history.Segment{seg(controller.ClassOK, 2*time.Hour, time.Hour),
			seg(controller.ClassOriginDown, time.Hour, time.Hour-30*time.Second), seg(controller.ClassOK, time.Hour-30*time.Second, 0)},
			"none 264, good 12, bad 1, good 11"},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range healthBarOf(tt.segs, now).Rects {
			got = append(got, fmt.Sprintf("%s %d", r.Tone, r.W))
		}
		if strings.Join(got, ", ") != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, strings.Join(got, ", "), tt.want)
		}
	}
}

// fullHistory fills a history to its bounds: every pass failed with many
// changes, every address change, every transition, and three checks that
// flap every 30 s all day.
func fullHistory() *history.History {
	clock := pageNow.Add(-25 * time.Hour)
	h := history.New(func() time.Time { return clock })
	var changes []controller.Change
	for i := range 20 {
		changes = append(changes, controller.Change{Action: controller.ActionUpdate, Name: fmt.Sprintf("n%d.example.com", i), Type: "A",
			Reason: "stale address", Before: &controller.Record{Content: "203.0.113.7"}, After: &controller.Record{Content: "203.0.113.8"}})
	}
	for i := range history.MaxPasses + 10 {
		clock = clock.Add(time.Minute)
		rep := controller.Report{Detection: scenarioReport(fmt.Sprintf("203.0.113.%d", i%200)).Detection,
			Plan: controller.PlanResult{Changes: changes}}
		h.ObservePass(rep, errors.New(strings.Repeat("a long error ", 100)), time.Duration(i)*time.Millisecond)
	}
	classes := []controller.Class{controller.ClassOK, controller.ClassOriginDown}
	for i := range 2 * 24 * 60 {
		at := pageNow.Add(-24*time.Hour + time.Duration(i)*30*time.Second)
		var rs []controller.CheckResult
		for _, c := range []string{"a", "b", "c"} {
			rs = append(rs, controller.CheckResult{Check: c, Host: c + ".example.com", At: at,
				Edge: controller.Diagnosis{Class: classes[i%2], Explanation: strings.Repeat("why ", 50)}})
		}
		h.ObserveHealth(rs, at)
	}
	return h
}

func TestPageStaysSmallWithAFullHistory(t *testing.T) {
	h := fullHistory()
	e := pageEndpoint(t, h)
	s := h.Snapshot()
	v := scenarioView(t, e)
	v.Snap.Health = nil
	for _, c := range []string{"a", "b", "c"} {
		v.Snap.Health = append(v.Snap.Health, controller.CheckResult{Check: c, Host: c + ".example.com", At: pageNow,
			Edge: controller.Diagnosis{Class: controller.ClassOriginDown}})
	}
	p := buildPage(v, &s, pageNow)
	if len(p.Timeline.Items) != maxTimeline || !p.Timeline.Capped || p.Timeline.Total <= maxTimeline {
		t.Errorf("timeline: %d items of %d, capped %v", len(p.Timeline.Items), p.Timeline.Total, p.Timeline.Capped)
	}
	if len(p.Passes.Bars) != maxPassBars {
		t.Errorf("pass chart: %d bars, want %d", len(p.Passes.Bars), maxPassBars)
	}
	passes := buildTimeline(history.Snapshot{Passes: s.Passes}, pageNow).Items
	if l := passes[0].Lines; len(l) != maxLines || l[maxLines-1] != "… and 14 more (see status/history)" {
		t.Errorf("a pass with 21 lines shows %q", l)
	}
	rec := httptest.NewRecorder()
	e.writePage(context.Background(), rec, p)
	body := rec.Body.String()
	const limit = 128 << 10
	if len(body) > limit {
		t.Errorf("page is %d bytes, want at most %d", len(body), limit)
	}
	text := visibleText(t, body)
	for _, w := range []string{"Showing the newest 50 of", "All of them: /status/history."} {
		if !strings.Contains(text, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	t.Logf("page with a full history: %d bytes", len(body))
}
