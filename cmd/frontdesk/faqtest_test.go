package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/faq"
)

const coffeeKB = "../../shared/faq/testdata/coffee.yaml"

func TestRunFAQTestJSON(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := runFAQ(context.Background(), []string{"test", coffeeKB, "testdata/coffee-tests.yaml", "--json"}, nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("faq test: %v (%s)", err, stderr.String())
	}
	var lines []map[string]any
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q is no JSON object: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 5 {
		t.Fatalf("got %d objects, want 4 questions and a summary", len(lines))
	}
	for i, want := range []struct{ text, expect, decision, id string }{
		{"Wann habt ihr samstags geöffnet?", "opening-hours", "answer", "opening-hours"},
		{"Do you sell ground coffee?", "grind", "answer", "grind"},
		{"Wie ist das Wetter morgen?", "none", "clarify", ""},
		{"Danke!", "thanks", "answer", "thanks"},
	} {
		l := lines[i]
		for _, k := range []string{"text", "expect", "decision", "id", "options", "confidence"} {
			if _, ok := l[k]; !ok {
				t.Errorf("question %d lacks %q: %v", i, k, l)
			}
		}
		if l["text"] != want.text || l["expect"] != want.expect || l["decision"] != want.decision || l["id"] != want.id {
			t.Errorf("question %d = %v, want %+v", i, l, want)
		}
		if c, _ := l["confidence"].(float64); c < 0 || c > 1 {
			t.Errorf("question %d confidence %v out of [0, 1]", i, l["confidence"])
		}
	}
	sum := lines[4]
	if sum["summary"] != true || sum["n"] != 4.0 || sum["right"] != 3.0 || sum["oos_right"] != 1.0 || sum["must_failed"] != 0.0 {
		t.Errorf("summary = %v", sum)
	}
}

func TestRunFAQTestReportAndMustFailure(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := runFAQ(context.Background(), []string{"test", coffeeKB, "testdata/coffee-tests-failing.jsonl"}, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "1 must: true question(s) failed") {
		t.Fatalf("faq test error = %v, want one failed must question", err)
	}
	out := stdout.String()
	for _, want := range []string{
		"Confident wrong answers (1):",
		`testdata/coffee-tests-failing.jsonl:1 [must] "Wann habt ihr samstags geöffnet?"`,
		"expected grind, got answer opening-hours",
		"fix: add it to the de phrasings of grind",
		"2 questions: in scope 1, right 0, asked back 0, wrong 1",
		"out of scope 1: not answered 1, answered 0 (0.0 %)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	stdout.Reset()
	err = runFAQ(context.Background(), []string{"test", coffeeKB, "testdata/coffee-tests-failing.jsonl", "--json"}, nil, &stdout, &stderr)
	if err == nil {
		t.Error("faq test --json with a failed must question succeeded")
	}
	if !strings.Contains(stdout.String(), `"must_failed":1`) {
		t.Errorf("--json summary lacks must_failed 1:\n%s", stdout.String())
	}
}

func TestRunFAQTestBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unknown := filepath.Join(dir, "unknown.yaml")
	os.WriteFile(unknown, []byte("- {text: hallo, expect: no-such-entry}\n"), 0o644)
	noExpect := filepath.Join(dir, "noexpect.yaml")
	os.WriteFile(noExpect, []byte("- {text: hallo}\n"), 0o644)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"test", coffeeKB}, "want KB and TESTS"},
		{[]string{"test", coffeeKB, unknown}, `expect "no-such-entry" is no entry`},
		{[]string{"test", coffeeKB, noExpect}, "noexpect.yaml:1: expect missing"},
	} {
		var stdout, stderr bytes.Buffer
		err := runFAQ(context.Background(), tt.args, nil, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("faq %v error = %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestRunFAQChatPiped(t *testing.T) {
	t.Parallel()
	in := strings.NewReader("/start\nWann habt ihr geöffnet?\n/lang en\nwhat a lovely purple trombone\nquantum banana orchestra\n/reset\nthanks!\n/quit\nnever read\n")
	var stdout, stderr bytes.Buffer
	if err := runFAQ(context.Background(), []string{"chat", "--kb", coffeeKB}, in, &stdout, &stderr); err != nil {
		t.Fatalf("faq chat: %v (%s)", err, stderr.String())
	}
	out := stdout.String()
	want := []string{
		"> /start", "bot: Hallo und willkommen bei der Rösterei Bohnenglück!", "[Röstdatum]", "· answer greeting · de",
		"> Wann habt ihr geöffnet?", "bot: Die Rösterei ist Mittwoch bis Samstag", "· answer opening-hours · de · confidence", "top: opening-hours",
		"(language en)",
		"> what a lovely purple trombone", "bot: Sorry, I did not understand that.", "· clarify · en",
		"> quantum banana orchestra", "· escalate (no_match) · en",
		"(new conversation)",
		"> thanks!", "bot: You are welcome!", "· answer thanks · en",
	}
	pos := 0
	for _, w := range want {
		i := strings.Index(out[pos:], w)
		if i < 0 {
			t.Fatalf("chat output lacks %q after position %d:\n%s", w, pos, out)
		}
		pos += i + len(w)
	}
	if strings.Contains(out, "never read") {
		t.Error("chat read past /quit")
	}
	if strings.Count(out, "top: ") < 5 {
		t.Errorf("want the top three after every matched message:\n%s", out)
	}
}

// TestFAQChatBinaryPiped runs the built command with stdin from a pipe, as a shop's script would.
func TestFAQChatBinaryPiped(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "frontdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "faq", "chat", "--kb", coffeeKB)
	cmd.Stdin = strings.NewReader("Hallo\nGibt es gemahlenen Kaffee?\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("frontdesk faq chat: %v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "     · answer grind · de") }) {
		t.Errorf("output lacks the grind answer:\n%s", out)
	}
	if strings.Contains(string(out), "\r") || strings.Contains(string(out), "One conversation with the bot") {
		t.Errorf("piped output has terminal decoration:\n%q", out)
	}
}

// The report says what to change for each failure: a phrasing of the expected entry, or an
// out-of-scope phrasing, in the language the bot read the question in.
func TestFixFor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		expect, locale, want string
	}{
		{"grind", "de", "add it to the de phrasings of grind"},
		{faq.None, "en", "add it to out_of_scope in en, or write an entry that answers it"},
	} {
		r := faq.TestResult{Case: faq.TestCase{Expect: tt.expect}, Decision: faq.Decision{Locale: tt.locale}}
		if got := fixFor(r); got != tt.want {
			t.Errorf("fixFor(expect %s, %s) = %q, want %q", tt.expect, tt.locale, got, tt.want)
		}
	}
}
