package consent

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text   string
		cmd    Command
		locale string
	}{
		// German opt-out.
		{"Werbung stoppen", CommandOptOut, "de"},
		{"werbung stoppen!", CommandOptOut, "de"},
		{"WERBUNG STOPPEN", CommandOptOut, "de"},
		{"Bitte Werbung stoppen.", CommandOptOut, "de"},
		{"Werbung stoppen, danke", CommandOptOut, "de"},
		{"Hallo, bitte Werbung stoppen 🙏", CommandOptOut, "de"},
		{"Keine Werbung", CommandOptOut, "de"},
		{"Keine Werbung mehr!", CommandOptOut, "de"},
		{"keine Datenweitergabe", CommandOptOut, "de"},
		{"Keine Datenweitergabe mehr bitte", CommandOptOut, "de"},
		{"Datenweitergabe stoppen", CommandOptOut, "de"},
		{"Ich möchte keine Datenweitergabe", CommandOptOut, "de"},
		{"ich moechte keine werbung", CommandOptOut, "de"},
		{"Stopp Werbung", CommandOptOut, "de"},
		{"  werbung   STOPPEN  ", CommandOptOut, "de"},
		// German opt-in.
		{"Werbung erlauben", CommandOptIn, "de"},
		{"Werbung wieder erlauben", CommandOptIn, "de"},
		{"Datenweitergabe erlauben", CommandOptIn, "de"},
		{"Bitte Werbung erlauben", CommandOptIn, "de"},
		// English opt-out.
		{"stop ads", CommandOptOut, "en"},
		{"Stop ads please", CommandOptOut, "en"},
		{"STOP ADS!!!", CommandOptOut, "en"},
		{"stop sharing my data", CommandOptOut, "en"},
		{"Please stop sharing my data.", CommandOptOut, "en"},
		{"Don't share my data", CommandOptOut, "en"},
		{"no ads anymore", CommandOptOut, "en"},
		{"I want to stop sharing my data", CommandOptOut, "en"},
		// English opt-in.
		{"allow ads", CommandOptIn, "en"},
		{"Allow ads, thanks", CommandOptIn, "en"},
		// Both languages.
		{"opt out", CommandOptOut, ""},
		{"Opt-out", CommandOptOut, ""},
		{"OPTOUT", CommandOptOut, ""},
		{"opt-out bitte", CommandOptOut, ""},
		{"opt in", CommandOptIn, ""},
		{"Opt-In", CommandOptIn, ""},
		// Decomposed umlaut (u + combining diaeresis).
		{"Ich mo\u0308chte keine Werbung", CommandOptOut, "de"},

		// Not commands: sentences about something else.
		{"Ich möchte die Bestellung stoppen", NoCommand, ""},
		{"Bitte die Lieferung stoppen", NoCommand, ""},
		{"Können Sie das Abo stoppen", NoCommand, ""},
		{"Ich habe keine Werbung bekommen", NoCommand, ""},
		{"Werbung", NoCommand, ""},
		{"stoppen", NoCommand, ""},
		{"Stopp", NoCommand, ""},
		{"Die Werbung auf Instagram war super, ich möchte bestellen", NoCommand, ""},
		{"Keine Ahnung", NoCommand, ""},
		{"stop my order", NoCommand, ""},
		{"please stop the delivery", NoCommand, ""},
		{"STOP", NoCommand, ""},
		{"stop", NoCommand, ""},
		{"I saw your ads and want to order", NoCommand, ""},
		{"I want to opt out of the newsletter", NoCommand, ""},
		{"Do you share my data with anyone", NoCommand, ""},
		{"hi", NoCommand, ""},
		{"", NoCommand, ""},
		// Not commands: questions.
		{"I want to opt out of the newsletter?", NoCommand, ""},
		{"Wie kann ich die Werbung stoppen?", NoCommand, ""},
		{"Werbung stoppen?", NoCommand, ""},
		{"stop ads?", NoCommand, ""},
		{"opt out?", NoCommand, ""},
		// Not commands: too long to be one.
		{"werbung stoppen " + strings.Repeat("bitte ", 30), NoCommand, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			cmd, locale, ok := Detect(tt.text)
			if ok != (tt.cmd != NoCommand) || cmd != tt.cmd || locale != tt.locale {
				t.Errorf("Detect(%q) = %v, %q, %v; want %v, %q, %v", tt.text, cmd, locale, ok, tt.cmd, tt.locale, tt.cmd != NoCommand)
			}
		})
	}
}

func TestKeywordsAreNormalised(t *testing.T) {
	t.Parallel()
	for _, k := range Keywords {
		if got := Normalize(k.Phrase); got != k.Phrase {
			t.Errorf("keyword %q normalises to %q: it can never match", k.Phrase, got)
		}
		if cmd, _, ok := Detect(k.Phrase); !ok || cmd != k.Cmd {
			t.Errorf("Detect(%q) = %v, %v; want %v", k.Phrase, cmd, ok, k.Cmd)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Ärger über Größe", "aerger ueber groesse"},
		{"  Don't   STOP!! ", "dont stop"},
		{"opt-out/opt-in", "opt out opt in"},
		{"ÖL", "oel"},
		{"🙏", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConfirmation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cmd              Command
		locale, fallback string
		want             string
	}{
		{CommandOptOut, "de", "en", "Alles klar"},
		{CommandOptOut, "de-AT", "en", "Alles klar"},
		{CommandOptOut, "", "de", "Alles klar"},
		{CommandOptOut, "fr", "", "Done"},
		{CommandOptIn, "en", "de", "Thanks"},
		{CommandOptIn, "de", "", "Danke"},
	}
	for _, tt := range tests {
		if got := Confirmation(tt.cmd, tt.locale, tt.fallback); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Confirmation(%v, %q, %q) = %q, want prefix %q", tt.cmd, tt.locale, tt.fallback, got, tt.want)
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range readSeeds(f, "testdata/keywords.txt") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, locale, ok := Detect(text)
		if ok != (cmd != NoCommand) {
			t.Fatalf("Detect(%q) = %v, ok %v", text, cmd, ok)
		}
		if locale != "" && locale != "de" && locale != "en" {
			t.Fatalf("Detect(%q) locale %q", text, locale)
		}
		if !ok {
			return
		}
		// A command stays one when shouted or padded with punctuation.
		if c, _, ok := Detect("  " + strings.ToUpper(text) + " !"); utf8.ValidString(text) && len(text) < 300 && (!ok || c != cmd) && !strings.ContainsFunc(text, unusualCase) {
			t.Fatalf("Detect(upper %q) = %v, %v; want %v", text, c, ok, cmd)
		}
		n := Normalize(text)
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent on %q", text)
		}
	})
}

// unusualCase reports runes whose upper case lower-cases to something else (ß, dotless i, ...).
func unusualCase(r rune) bool { return r > 0x7f }

func TestDetectErase(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"Lösche meine Daten":              "de",
		"Bitte löscht alle meine Daten!":  "de",
		"Ich möchte meine Daten löschen":  "de",
		"Please delete my data":           "en",
		"delete all my data, thanks":      "en",
		"Löscht ihr meine Daten?":         "",
		"How do I delete my account?":     "",
		"delete my data from the account": "",
		"Daten":                           "",
	} {
		got, ok := DetectErase(text)
		if got != want || ok != (want != "") {
			t.Errorf("DetectErase(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
}
