package leader

import (
	"fmt"
	"reflect"
	"testing"
)

func TestObserverReportsChangesInOrder(t *testing.T) {
	var got []string
	o := newObserver("me", func(isLeader bool, leader string) {
		got = append(got, fmt.Sprintf("%v:%s", isLeader, leader))
	})
	o.observed(1, "other")
	o.observed(1, "other") // no change: no report
	o.observed(1, "")      // released
	o.observed(2, "me")    // own identity before lead starts: ignored
	o.started(2)
	o.observed(1, "stale") // older round: dropped
	o.stopped(2)
	o.observed(3, "other")
	want := []string{"false:other", "false:", "true:me", "false:", "false:other"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reports = %v, want %v", got, want)
	}
}

func TestObserverNilCallback(t *testing.T) {
	o := newObserver("me", nil)
	o.started(1)
	o.stopped(1)
}
