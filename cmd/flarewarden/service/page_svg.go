package service

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/history"
)

// The charts are SVG drawn here, in integer units. A health bar has one
// unit per bucket of the health window; the pass chart one bar per pass.
const (
	barBuckets  = 288 // 5-minute buckets over history.HealthWindow
	maxPassBars = 100
	passBarStep = 5 // units per pass: a bar of 4 and a gap of 1
	passChartH  = 40
)

// svgRect is one rectangle of a chart; Tone is its colour (good: green,
// bad: red, none: grey) and Title what a pointer over it shows.
type svgRect struct {
	X, Y, W, H  int
	Tone, Title string
}

// healthBar is a check's classes over the health window, oldest left,
// and what it shows in words.
type healthBar struct {
	ViewBox string
	Rects   []svgRect
	Summary string
}

// healthBarOf draws segs over the health window ending now. A bucket is
// red when the check failed at any time in it, else green when it passed,
// else grey (not checked).
func healthBarOf(segs []history.Segment, now time.Time) healthBar {
	start := now.Add(-history.HealthWindow)
	step := history.HealthWindow / barBuckets
	tones := make([]string, barBuckets)
	for _, s := range segs {
		if s.To.Before(start) {
			continue
		}
		tone := "good"
		if s.Class != controller.ClassOK {
			tone = "bad"
		}
		first, last := max(0, int(s.From.Sub(start)/step)), min(barBuckets-1, int(s.To.Sub(start)/step))
		for i := first; i <= last; i++ {
			if tones[i] != "bad" {
				tones[i] = tone
			}
		}
	}
	return healthBar{ViewBox: fmt.Sprintf("0 0 %d 10", barBuckets), Rects: runs(tones, start, step), Summary: barSummary(tones, step)}
}

// runs turns buckets into one rectangle per run of one tone.
func runs(tones []string, start time.Time, step time.Duration) []svgRect {
	var out []svgRect
	for i := 0; i < len(tones); {
		j := i
		for j < len(tones) && tones[j] == tones[i] {
			j++
		}
		tone := tones[i]
		if tone == "" {
			tone = "none"
		}
		from, to := start.Add(time.Duration(i)*step), start.Add(time.Duration(j)*step)
		out = append(out, svgRect{X: i, W: j - i, H: 10, Tone: tone,
			Title: fmt.Sprintf("%s %s – %s UTC", toneWords[tone], from.UTC().Format("Jan 2 15:04"), to.UTC().Format("Jan 2 15:04"))})
		i = j
	}
	return out
}

// toneWords says what a health bar's colour means.
var toneWords = map[string]string{"good": "ok", "bad": "failing", "none": "not checked"}

// barSummary says how long the bar shows each tone: "last 24 h: failing
// 15m, ok 23h, not checked 45m".
func barSummary(tones []string, step time.Duration) string {
	n := map[string]int{}
	for _, t := range tones {
		if t == "" {
			t = "none"
		}
		n[t]++
	}
	var parts []string
	for _, t := range []string{"bad", "good", "none"} {
		if n[t] > 0 {
			parts = append(parts, toneWords[t]+" "+span(time.Duration(n[t])*step))
		}
	}
	return "last 24 h: " + strings.Join(parts, ", ")
}

// passChart is the duration of the last passes, newest right, failed ones
// red.
type passChart struct {
	ViewBox string
	Bars    []svgRect
	Summary string
}

// passBars draws the last maxPassBars passes, each bar's height its
// duration against the longest's.
func passBars(passes []history.Pass) passChart {
	passes = passes[max(0, len(passes)-maxPassBars):]
	if len(passes) == 0 {
		return passChart{}
	}
	longest, failed := time.Duration(1), 0
	for _, p := range passes {
		longest = max(longest, p.Duration)
		if !p.OK {
			failed++
		}
	}
	c := passChart{ViewBox: fmt.Sprintf("0 0 %d %d", maxPassBars*passBarStep, passChartH), Summary: fmt.Sprintf("last %s: %d failed, the longest took %s",
		pluralize(len(passes), "pass", "passes"), failed, span(longest))}
	offset := maxPassBars - len(passes)
	for i, p := range passes {
		h := max(1, int(math.Round(passChartH*float64(p.Duration)/float64(longest))))
		r := svgRect{X: (offset + i) * passBarStep, Y: passChartH - h, W: passBarStep - 1, H: h, Tone: "good",
			Title: p.At.UTC().Format("2006-01-02 15:04:05 UTC") + ": ok, took " + span(p.Duration)}
		if !p.OK {
			r.Tone, r.Title = "bad", p.At.UTC().Format("2006-01-02 15:04:05 UTC")+": failed after "+span(p.Duration)
		}
		c.Bars = append(c.Bars, r)
	}
	return c
}
