package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsFirstKB runs the "Write your first knowledge base" walk-through of docs/faq.md as
// written: it writes each file block marked <!-- file: PATH --> into an empty folder and runs
// each "$ frontdesk faq ..." line there, checking that the output shown under it appears in
// order (a line ending in "…" is a prefix; lines the doc leaves out are not checked).
func TestDocsFirstKB(t *testing.T) {
	doc, err := os.ReadFile("../../docs/faq.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "## Write your first knowledge base")
	if start < 0 {
		t.Fatal("docs/faq.md has no section \"Write your first knowledge base\"")
	}
	section := text[start+3:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	dir := t.TempDir()
	t.Chdir(dir)
	lines := strings.Split(section, "\n")
	file := ""
	commands := 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if rest, ok := strings.CutPrefix(l, "<!-- file: "); ok {
			file = strings.TrimSuffix(rest, " -->")
			continue
		}
		if !strings.HasPrefix(l, "```") {
			continue
		}
		var block []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			block = append(block, lines[i])
		}
		if file != "" {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(strings.Join(block, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			file = ""
			continue
		}
		commands += runTranscript(t, block)
	}
	if commands < 5 {
		t.Errorf("ran %d commands from the walk-through, want at least 5", commands)
	}
}

// runTranscript runs the "$ frontdesk ..." lines of one block and checks their output.
func runTranscript(t *testing.T, block []string) int {
	t.Helper()
	n := 0
	for i := 0; i < len(block); i++ {
		cmdLine, ok := strings.CutPrefix(block[i], "$ frontdesk ")
		if !ok {
			continue
		}
		var want []string
		for i+1 < len(block) && !strings.HasPrefix(block[i+1], "$ ") {
			i++
			want = append(want, block[i])
		}
		args := strings.Fields(cmdLine)
		var stdin io.Reader = strings.NewReader("")
		if k := indexOf(args, "<"); k >= 0 && k+1 < len(args) {
			b, err := os.ReadFile(args[k+1])
			if err != nil {
				t.Fatal(err)
			}
			stdin = bytes.NewReader(b)
			args = append(args[:k], args[k+2:]...)
		}
		if args[0] != "faq" {
			t.Fatalf("the walk-through runs %q: only faq commands are checked here", cmdLine)
		}
		var out bytes.Buffer
		if err := runFAQ(context.Background(), args[1:], stdin, &out, &out); err != nil {
			out.WriteString("frontdesk: " + err.Error() + "\n")
		}
		checkOutput(t, cmdLine, want, out.String())
		n++
	}
	return n
}

func checkOutput(t *testing.T, cmd string, want []string, got string) {
	t.Helper()
	gotLines := strings.Split(got, "\n")
	pos := 0
	for _, w := range want {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		prefix, isPrefix := strings.CutSuffix(w, "…")
		found := false
		for ; pos < len(gotLines); pos++ {
			g := strings.TrimSpace(gotLines[pos])
			if g == w || (isPrefix && strings.HasPrefix(g, strings.TrimSpace(prefix))) {
				found = true
				pos++
				break
			}
		}
		if !found {
			t.Errorf("$ frontdesk %s: output lacks %q (in order):\n%s", cmd, w, got)
			return
		}
	}
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}
