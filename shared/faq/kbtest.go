package faq

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// TestCase is one of a shop's own test questions for "frontdesk faq test": a customer
// message and the entry that must answer it, or None when the bot must not answer.
type TestCase struct {
	Text string `yaml:"text" json:"text"`
	// Expect is the entry id, or None ("none") for an out-of-scope question.
	Expect string `yaml:"expect" json:"expect"`
	// Must makes a failure of this question fail the whole run (exit status for CI).
	Must bool `yaml:"must" json:"must,omitempty"`
	// Lang is the conversation's language so far ("" for a new conversation).
	Lang string `yaml:"lang" json:"lang,omitempty"`
	Line int    `yaml:"-" json:"-"`
}

// None is the expectation of an out-of-scope question.
const None = "none"

// Outcomes of a test question.
const (
	OutcomeRight      = "right"       // answered with the expected entry (or escalated as it, or not answered when none)
	OutcomeAskedBack  = "asked_back"  // in scope: asked back with the expected entry among the options
	OutcomeWrong      = "wrong"       // answered with another entry: a confident wrong answer
	OutcomeWrongTopic = "wrong_topic" // handed over as another entry's human topic
	OutcomeMissed     = "missed"      // in scope, not answered (rephrase, hand-over, ask-back without it)
)

// TestResult is the bot's decision on one test question and how it went.
type TestResult struct {
	Case     TestCase
	Decision Decision
	Outcome  string
}

// ID is the entry the decision stands for: the answered (or human-topic) entry, or
// talk-to-person for a request for a person.
func (r TestResult) ID() string {
	if r.Decision.Reason == ReasonAskedForHuman {
		return TalkToPersonID
	}
	return r.Decision.EntryID
}

// Passed reports whether the question went right (an ask-back offering the entry is not a pass).
func (r TestResult) Passed() bool { return r.Outcome == OutcomeRight }

// ReadTestCases reads test questions from a YAML file (a list of {text, expect, must}) or a
// JSON-lines file (.jsonl, one object a line).
func ReadTestCases(path string) ([]TestCase, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTestCases(b, path)
}

// ParseTestCases parses test questions; name says which format (.jsonl: JSON lines, else YAML)
// and locates errors.
func ParseTestCases(b []byte, name string) ([]TestCase, error) {
	var cs []TestCase
	if filepath.Ext(name) == ".jsonl" {
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for line := 1; sc.Scan(); line++ {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var c TestCase
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			c.Line = line
			cs = append(cs, c)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	} else {
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("%s: want a list of {text, expect} questions", name)
		}
		for _, n := range doc.Content[0].Content {
			var c TestCase
			if n.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("%s:%d: a question must be a mapping {text, expect}", name, n.Line)
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i].Value; !slices.Contains([]string{"text", "expect", "must", "lang"}, k) {
					return nil, fmt.Errorf("%s:%d: unknown key %q (want text, expect, must, lang)", name, n.Content[i].Line, k)
				}
			}
			if err := n.Decode(&c); err != nil {
				return nil, fmt.Errorf("%s:%d: %s", name, n.Line, strings.TrimPrefix(err.Error(), "yaml: "))
			}
			c.Line = n.Line
			cs = append(cs, c)
		}
	}
	for _, c := range cs {
		switch {
		case strings.TrimSpace(c.Text) == "":
			return nil, fmt.Errorf("%s:%d: text missing", name, c.Line)
		case c.Expect == "":
			return nil, fmt.Errorf("%s:%d: expect missing (an entry id, or none)", name, c.Line)
		case c.Lang != "" && !slices.Contains(Languages, c.Lang):
			return nil, fmt.Errorf("%s:%d: unsupported lang %q", name, c.Line, c.Lang)
		}
	}
	return cs, nil
}

// CheckTestCases reports expectations that name no entry of the bot's KB.
func (b *Bot) CheckTestCases(cs []TestCase) error {
	for _, c := range cs {
		if _, ok := b.kb.Entry(c.Expect); !ok && c.Expect != None && c.Expect != TalkToPersonID {
			return fmt.Errorf("line %d: expect %q is no entry of the knowledge base", c.Line, c.Expect)
		}
	}
	return nil
}

// Test runs each question as the first message of a new conversation through Decide and grades it.
func (b *Bot) Test(cs []TestCase) []TestResult {
	out := make([]TestResult, len(cs))
	for i, c := range cs {
		d := b.Decide(Input{Text: c.Text, Locale: c.Lang})
		r := TestResult{Case: c, Decision: d}
		r.Outcome = grade(r)
		out[i] = r
	}
	return out
}

func grade(r TestResult) string {
	d, want := r.Decision, r.Case.Expect
	id := r.ID()
	if want == None {
		switch {
		case d.Action == Answer:
			return OutcomeWrong
		case d.Action == Escalate && d.Reason == ReasonHumanTopic:
			return OutcomeWrongTopic
		}
		return OutcomeRight
	}
	switch d.Action {
	case Answer:
		if id == want {
			return OutcomeRight
		}
		return OutcomeWrong
	case Escalate:
		if id == want {
			return OutcomeRight
		}
		if d.Reason == ReasonHumanTopic {
			return OutcomeWrongTopic
		}
	case AskBack:
		for _, o := range d.Options {
			if o.ID == want {
				return OutcomeAskedBack
			}
		}
	}
	return OutcomeMissed
}

// TestSummary counts the outcomes of a test run.
type TestSummary struct {
	N          int `json:"n"`
	InScope    int `json:"in_scope"`
	OutOfScope int `json:"out_of_scope"`
	// Outcomes of the in-scope questions.
	Right      int `json:"right"`
	AskedBack  int `json:"asked_back"`
	Wrong      int `json:"wrong"`
	WrongTopic int `json:"wrong_topic"`
	Missed     int `json:"missed"`
	// Outcomes of the out-of-scope questions: not answered, answered (confident wrong),
	// handed over as a human topic.
	OOSRight      int `json:"oos_right"`
	OOSWrong      int `json:"oos_wrong"`
	OOSWrongTopic int `json:"oos_wrong_topic"`
	// OOSAskedBack counts the out-of-scope questions asked back with options: not a wrong
	// answer, but a detour for the customer (within OOSRight).
	OOSAskedBack int `json:"oos_asked_back"`
	// InScopeRate is (right + asked_back/2) / in_scope; OOSWrongRate is oos_wrong / out_of_scope.
	InScopeRate  float64 `json:"in_scope_rate"`
	OOSWrongRate float64 `json:"oos_wrong_rate"`
	MustFailed   int     `json:"must_failed"`
}

// Summarize counts the results.
func Summarize(rs []TestResult) TestSummary {
	var s TestSummary
	for _, r := range rs {
		s.N++
		if r.Case.Must && !r.Passed() {
			s.MustFailed++
		}
		if r.Case.Expect == None {
			s.OutOfScope++
			switch r.Outcome {
			case OutcomeRight:
				s.OOSRight++
				if r.Decision.Action == AskBack {
					s.OOSAskedBack++
				}
			case OutcomeWrong:
				s.OOSWrong++
			case OutcomeWrongTopic:
				s.OOSWrongTopic++
			}
			continue
		}
		s.InScope++
		switch r.Outcome {
		case OutcomeRight:
			s.Right++
		case OutcomeAskedBack:
			s.AskedBack++
		case OutcomeWrong:
			s.Wrong++
		case OutcomeWrongTopic:
			s.WrongTopic++
		case OutcomeMissed:
			s.Missed++
		}
	}
	s.InScopeRate = (float64(s.Right) + float64(s.AskedBack)/2) / float64(max(1, s.InScope))
	s.OOSWrongRate = ratio(s.OOSWrong, s.OutOfScope)
	return s
}
