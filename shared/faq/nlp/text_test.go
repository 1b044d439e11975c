package nlp

import "testing"

func TestGermanStem(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"bestellungen", "bestell"},
		{"bestellung", "bestell"},
		{"häuser", "haus"},
		{"haeuser", "haus"},
		{"lieferung", "liefer"},
		{"zurückschicken", "zuruckschick"},
		{"zurueckschicken", "zuruckschick"},
		{"größe", "gross"},
		{"möglichkeiten", "moglich"},
		{"neue", "neu"},
		{"aufeinanderfolgenden", "aufeinanderfolg"},
		{"kategorischen", "kategor"},
	}
	for _, tt := range tests {
		if got := germanStem(tt.in); got != tt.want {
			t.Errorf("germanStem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Wo ist mein Paket?!? 📦", "wo ist mein paket"},
		{"Don't   worry — café", "dont worry cafe"},
		{"GRÖSSE ẞ", "grösse ß"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDetectLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Wo ist meine Bestellung?", German},
		{"Ich möchte mit einem Mitarbeiter sprechen", German},
		{"Rücksendung", German},
		{"Where is my order?", English},
		{"how do i return something", English},
		{"PayPal", ""},
	}
	for _, tt := range tests {
		if got := DetectLanguage(tt.in); got != tt.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
