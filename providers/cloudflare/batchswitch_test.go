package cloudflare

import (
	"testing"
	"time"
)

func TestBatchSwitchTriesTheBatchAgainAfterBatchRetry(t *testing.T) {
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	b := batchSwitch{now: func() time.Time { return now }}
	if b.off() {
		t.Fatal("a new switch is off")
	}
	if !b.turnOff() || !b.off() {
		t.Fatal("turnOff: want the first report and single calls")
	}
	now = now.Add(batchRetry - time.Second)
	if b.turnOff() || !b.off() {
		t.Fatal("a second turnOff while off reported the change again")
	}
	now = now.Add(batchRetry) // the second turnOff extended the period
	if b.off() {
		t.Fatal("still off after batchRetry")
	}
	if !b.turnOff() {
		t.Fatal("turning off again after the retry is not reported")
	}
}

func TestBatchSwitchTurnOn(t *testing.T) {
	b := batchSwitch{}
	if b.turnOn() {
		t.Fatal("turnOn of a switch that is on reported a change")
	}
	b.turnOff()
	if !b.turnOn() || b.off() {
		t.Fatal("turnOn after turnOff: want the change reported and the batch in use")
	}
}
