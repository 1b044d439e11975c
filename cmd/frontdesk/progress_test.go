package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newProgress(&buf, "build") // a buffer is no terminal
	p.report("train", 0, 1)
	p.done()
	if buf.Len() != 0 {
		t.Errorf("progress on a non-terminal wrote %q", buf.String())
	}

	p = &progress{w: &buf, name: "build", on: true}
	p.report("cross-validation", 2, 5)
	p.report("cross-validation", 2, 5) // unchanged: not repeated
	p.report("cross-validation", 3, 5)
	p.done()
	got := buf.String()
	if strings.Count(got, "build: cross-validation 2/5") != 1 || !strings.Contains(got, "build: cross-validation 3/5") {
		t.Errorf("progress wrote %q, want each stage once", got)
	}
	if !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("progress did not clear its line at the end: %q", got)
	}
}
