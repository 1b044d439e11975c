package learn

import (
	"testing"
	"time"
)

func TestWeekAndCounters(t *testing.T) {
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), "2026-W49"},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2027, 1, 3, 12, 0, 0, 0, time.UTC), "2026-W53"}, // a Sunday: still the old ISO year
		{time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), "2027-W01"},
	} {
		if got := Week(tt.at); got != tt.want || !ValidWeek(got) {
			t.Errorf("Week(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
	for in, want := range map[string]string{"no_match": "reason:no_match", "asked_for_human": "reason:asked_for_human",
		"Kunde will Rückruf": "reason:other", "": "reason:other"} {
		if got := ReasonCounter(in); got != want || !ValidCounter(got) {
			t.Errorf("ReasonCounter(%q) = %q, want %q", in, got, want)
		}
	}
	if EntryCounter("Delivery Time") != "" || EntryCounter("delivery-time") != "entry:delivery-time" {
		t.Error("EntryCounter accepts a bad id or refuses a good one")
	}
	if ValidCounter("pk") || ValidCounter("expiresAt") || ValidCounter("entry:") {
		t.Error("a table attribute passes as a counter")
	}
}

func TestListNeverNil(t *testing.T) {
	if l := List(nil); l == nil || len(l) != 0 {
		t.Errorf("List(nil) = %#v, want an empty slice (JSON [])", l)
	}
}
