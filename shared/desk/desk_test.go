package desk_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/faq"
)

func TestNoteWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    desk.Note
		want string
	}{
		{desk.Note{Kind: desk.Claimed, Agent: "U0AGENT1"}, "Claimed by U0AGENT1."},
		{desk.Note{Kind: desk.Resolved}, "Resolved by someone."},
		{desk.Note{Kind: desk.AnswerSent, Agent: "U0AGENT1", Text: "Lieferzeiten"}, "U0AGENT1 sent the answer “Lieferzeiten”."},
		{desk.Note{Kind: desk.NotSent, Text: "the customer is unavailable"}, "Not sent: the customer is unavailable."},
		{desk.Note{Kind: desk.WindowCloses, Duration: 50 * time.Minute}, "Window closes in 50 min."},
		{desk.Note{Kind: desk.WindowCloses, Duration: time.Hour, Surface: channel.WhatsApp},
			"Window closes in 1 h. After that only the approved template can be sent until the customer writes again."},
		{desk.Note{Kind: desk.Unclaimed, Duration: 95 * time.Minute}, "Still unclaimed after 1 h 35 min. Claim it above."},
		{desk.Note{Kind: desk.FollowUpSent, Number: "49******67"}, "WhatsApp template sent to 49******67; replies on WhatsApp continue here."},
	}
	for _, tt := range tests {
		if got := tt.n.String(); got != tt.want {
			t.Errorf("%s: String() = %q, want %q", tt.n.Kind, got, tt.want)
		}
	}
}

// TestNoteFormatUsesTheMedium: agents and free text go through the desk's functions, so a
// desk can mention agents and escape text.
func TestNoteFormatUsesTheMedium(t *testing.T) {
	t.Parallel()
	n := desk.Note{Kind: desk.AnswerSent, Agent: "U1", Text: "a<b"}
	got := n.Format(func(id string) string { return "@" + id }, func(s string) string { return strings.ReplaceAll(s, "<", "&lt;") })
	if want := "@U1 sent the answer “a&lt;b”."; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}

func TestReasonText(t *testing.T) {
	t.Parallel()
	for _, r := range []string{faq.ReasonAskedForHuman, faq.ReasonNoMatch, faq.ReasonHumanTopic, faq.ReasonUnreadableMedia, desk.ReasonFollowUp} {
		if got := desk.ReasonText(r); got == r || got == "" {
			t.Errorf("ReasonText(%q) = %q, want words", r, got)
		}
	}
	if got := desk.ReasonText("order dispute"); got != "order dispute" {
		t.Errorf("free-text reason = %q, want it as given", got)
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "1 h"}, {59*time.Minute + 40*time.Second, "1 h"}, {45 * time.Minute, "45 min"},
		{90 * time.Minute, "1 h 30 min"}, {51 * time.Hour, "2 d 3 h"}, {48 * time.Hour, "2 d"}, {10 * time.Second, "less than a minute"},
	}
	for _, tt := range tests {
		if got := desk.FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestEveryNoteIsWorded: a new kind without its sentence would show agents its code name.
func TestEveryNoteIsWorded(t *testing.T) {
	t.Parallel()
	for _, k := range desk.NoteKinds {
		n := desk.Note{Kind: k, Agent: "U1", Other: "U2", Text: "x", Number: "49******67", Duration: time.Hour}
		if got := n.String(); got == string(k) || !strings.HasSuffix(got, ".") {
			t.Errorf("%s is worded %q, want a sentence", k, got)
		}
	}
}

// TestNoteKindsListsEveryKind: NoteKinds is what the wording and rendering tests range over, so
// a kind declared in note.go but missing from it would go untested.
func TestNoteKindsListsEveryKind(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "note.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[desk.NoteKind]bool{}
	for _, k := range desk.NoteKinds {
		listed[k] = true
	}
	declared := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "NoteKind" {
				continue
			}
			for _, val := range v.Values {
				lit, ok := val.(*ast.BasicLit)
				if !ok {
					continue
				}
				declared++
				if k := desk.NoteKind(strings.Trim(lit.Value, `"`)); !listed[k] {
					t.Errorf("note kind %q is declared but not in NoteKinds", k)
				}
			}
		}
	}
	if declared != len(desk.NoteKinds) {
		t.Errorf("note.go declares %d kinds, NoteKinds lists %d", declared, len(desk.NoteKinds))
	}
}
