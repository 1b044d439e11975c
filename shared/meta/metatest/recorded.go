package metatest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// RecordedDir is the corpus of Meta payloads recorded by others, relative to the repository
// root: one JSON file per payload, SOURCES naming where each comes from and EXPECTED what each
// must do.
const RecordedDir = "shared/meta/testdata/recorded"

// Bot outcomes of a recorded payload (EXPECTED's third column).
const (
	BotNone    = "-"       // nothing reaches the bot
	BotQuiet   = "quiet"   // no message to the customer, nothing in Slack, no miss
	BotReply   = "reply"   // the bot answers, no escalation
	BotWelcome = "welcome" // the welcome with entry buttons, no miss
	BotPerson  = "person"  // escalated to a person, the customer told
	BotDesk    = "desk"    // a card for the team, nothing to the customer
)

// Recorded is one payload of the corpus with its expectation.
type Recorded struct {
	File   string // file name in RecordedDir
	Body   []byte
	Source string
	// Queued are the "<surface>/<kind>" of the events the webhook queues, sorted.
	Queued []string
	Bot    string
	Why    string
}

// LoadRecorded reads the corpus under root (the repository root). Every payload must have a
// source and an expectation, and every source and expectation a payload.
func LoadRecorded(root string) ([]Recorded, error) {
	dir := filepath.Join(root, RecordedDir)
	sources, err := table(filepath.Join(dir, "SOURCES"), 2)
	if err != nil {
		return nil, err
	}
	expected, err := table(filepath.Join(dir, "EXPECTED"), 4)
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Recorded
	for _, f := range files {
		name := filepath.Base(f)
		src, ok := sources[name]
		if !ok {
			return nil, fmt.Errorf("%s has no line in SOURCES", name)
		}
		exp, ok := expected[name]
		if !ok {
			return nil, fmt.Errorf("%s has no line in EXPECTED", name)
		}
		body, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r := Recorded{File: name, Body: body, Source: src[1], Bot: exp[2], Why: exp[3]}
		if exp[1] != "-" {
			r.Queued = strings.Split(exp[1], ",")
			slices.Sort(r.Queued)
		}
		switch r.Bot {
		case BotNone, BotQuiet, BotReply, BotWelcome, BotPerson, BotDesk:
		default:
			return nil, fmt.Errorf("EXPECTED: %s: unknown bot outcome %q", name, r.Bot)
		}
		if (r.Bot == BotNone) != (len(r.Queued) == 0) {
			return nil, fmt.Errorf("EXPECTED: %s: the bot outcome is %q with queued %q", name, r.Bot, exp[1])
		}
		out = append(out, r)
		delete(sources, name)
		delete(expected, name)
	}
	for name := range sources {
		return nil, fmt.Errorf("SOURCES names %s, which is not in %s", name, RecordedDir)
	}
	for name := range expected {
		return nil, fmt.Errorf("EXPECTED names %s, which is not in %s", name, RecordedDir)
	}
	return out, nil
}

// table reads a tab-separated file of n columns; lines starting with # are comments.
func table(path string, n int) (map[string][]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rows := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for line := 1; sc.Scan(); line++ {
		t := sc.Text()
		if strings.TrimSpace(t) == "" || strings.HasPrefix(t, "#") {
			continue
		}
		cols := strings.Split(t, "\t")
		if len(cols) != n || cols[0] == "" {
			return nil, fmt.Errorf("%s:%d: want %d tab-separated columns, got %d", filepath.Base(path), line, n, len(cols))
		}
		if _, dup := rows[cols[0]]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", filepath.Base(path), line, cols[0])
		}
		rows[cols[0]] = cols
	}
	return rows, sc.Err()
}
