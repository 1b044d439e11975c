package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/faq"
)

func TestRunFAQCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		path       string
		wantErr    bool
		wantStdout string
		wantStderr []string
	}{
		{"sample", "../../shared/faq/kb/shop", false, "ok, 45 entries (7 small talk, 6 always to a person)", nil},
		{"broken", "testdata/bad-kb.yaml", true, "", []string{
			`testdata/bad-kb.yaml:14: entry "no-answer": answer missing in en`,
			`testdata/bad-kb.yaml:21: entry "too-long-title": follow-up "missing-entry" is no entry`,
		}},
		{"missing", "testdata/nope.yaml", true, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := runFAQ(context.Background(), []string{"check", tt.path}, nil, &stdout, &stderr)
			if (err != nil) != tt.wantErr {
				t.Fatalf("runFAQ check error = %v, want error %v", err, tt.wantErr)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.wantStdout)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr = %q, want a line %q", stderr.String(), w)
				}
			}
		})
	}
}

func TestRunFAQEvalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		n    float64
	}{
		{"test file", []string{"eval", "--train", "testdata/train.jsonl", "--test", "testdata/test.jsonl", "--json"}, 4},
		{"val file", []string{"eval", "--train", "testdata/train.jsonl", "--test", "testdata/test.jsonl", "--val", "testdata/test.jsonl", "--json"}, 4},
		{"cross-validation", []string{"eval", "--train", "testdata/train.jsonl", "--cv", "3", "--json"}, 13},
	}
	rates := []string{"top1_accuracy", "in_scope_accuracy", "oos_recall", "oos_precision", "accuracy", "ask_back_rate", "in_scope_resolved"}
	others := []string{"n_test", "mcc", "best_mcc", "best_mcc_threshold", "build_ms", "p50_us", "p99_us", "heap_mb"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if err := runFAQ(context.Background(), tt.args, nil, &stdout, &stderr); err != nil {
				t.Fatalf("runFAQ eval: %v (stderr %s)", err, stderr.String())
			}
			var got map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
			}
			for _, k := range append(rates, others...) {
				if _, ok := got[k].(float64); !ok {
					t.Errorf("key %q = %v, want a number", k, got[k])
				}
			}
			for _, k := range rates {
				if v, _ := got[k].(float64); v < 0 || v > 1 {
					t.Errorf("%s = %v, want a rate in [0, 1]", k, v)
				}
			}
			if got["n_test"] != tt.n {
				t.Errorf("n_test = %v, want %v", got["n_test"], tt.n)
			}
			if v, _ := got["top1_accuracy"].(float64); v < 0.5 {
				t.Errorf("top1_accuracy = %v on an easy set, want ≥ 0.5", v)
			}
		})
	}
}

func TestRunFAQEvalUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"eval"},
		{"eval", "--train", "testdata/train.jsonl"},
		{"eval", "--train", "testdata/train.jsonl", "--test", "testdata/test.jsonl", "--cv", "3"},
		{"eval", "--train", "testdata/missing.jsonl", "--test", "testdata/test.jsonl"},
		{"bogus"},
		{},
	} {
		var stdout, stderr bytes.Buffer
		if err := runFAQ(context.Background(), args, nil, &stdout, &stderr); err == nil {
			t.Errorf("runFAQ(%q) succeeded, want an error", args)
		}
	}
}

func TestRunFAQBuild(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "shop.model")
	var stdout, stderr bytes.Buffer
	if err := runFAQ(context.Background(), []string{"build", "../../shared/faq/kb/shop", "-o", out}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("runFAQ build: %v (%s)", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := faq.UnmarshalModel(b)
	if err != nil {
		t.Fatalf("built model does not load: %v", err)
	}
	kb, err := faq.LoadKB("../../shared/faq/kb/shop")
	if err != nil {
		t.Fatal(err)
	}
	if m.KBHash != kb.Hash() || len(m.Classes) != len(kb.Entries) {
		t.Errorf("model hash/classes do not match the knowledge base")
	}
}

func TestRunFAQAsk(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	args := []string{"ask", "--kb", "", "Wie lange dauert die Lieferung?", "How long does delivery take?",
		"Ich möchte mit einem Mitarbeiter sprechen", "Quarkbällchen Zebrastreifen", "Xylophon Kuckucksuhr Mondlandschaft"}
	if err := runFAQ(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("runFAQ ask: %v (%s)", err, stderr.String())
	}
	want := []string{
		"answer delivery-time [de", "Innerhalb Deutschlands liefern wir",
		"answer delivery-time [en", "Within Germany we deliver",
		"escalate (asked_for_human) [de", "Ich verbinde dich mit einem Mitarbeiter",
		"clarify [de", "misses 1]",
		"escalate (no_match) [de", "misses 2]",
	}
	out := stdout.String()
	pos := 0
	for _, w := range want {
		i := strings.Index(out[pos:], w)
		if i < 0 {
			t.Fatalf("output lacks %q after position %d:\n%s", w, pos, out)
		}
		pos += i + len(w)
	}
}
