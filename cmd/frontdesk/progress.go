package main

import (
	"fmt"
	"io"
)

// progress prints the stages of a long "faq build" or "faq eval" on one line of a terminal,
// and nothing when the output is a pipe or a file (scripts read --json from stdout).
type progress struct {
	w    io.Writer
	name string
	on   bool
	last string
}

func newProgress(w io.Writer, name string) *progress {
	return &progress{w: w, name: name, on: isTerminal(w)}
}

func (p *progress) report(stage string, done, total int) {
	if !p.on {
		return
	}
	line := fmt.Sprintf("%s: %s %d/%d", p.name, stage, done, total)
	if line == p.last {
		return
	}
	p.last = line
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// done clears the progress line.
func (p *progress) done() {
	if p.on && p.last != "" {
		fmt.Fprint(p.w, "\r\033[K")
		p.last = ""
	}
}
