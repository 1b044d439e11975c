package channel

import (
	"strings"
	"testing"
)

func TestIsID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"106540352242922", true},
		{"0", true},
		{strings.Repeat("9", 64), true},
		{"", false},
		{strings.Repeat("9", 65), false},
		{"10654035224292a", false},
		{"-1", false},
		{" 1", false},
		{"1/events", false},
		{"١٢٣", false}, // Arabic-Indic digits are not ASCII digits
	} {
		if got := IsID(tc.in); got != tc.want {
			t.Errorf("IsID(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
