package faq

import (
	"fmt"
	"testing"
)

func TestTmp(t *testing.T) {
	b, _ := Default()
	for _, q := range []string{"Xylophon Kuckucksuhr Mondlandschaft", "Quarkbällchen Zebrastreifen", "asdf", "quantum banana orchestra", "Rückgabe", "Was kostet es?", "Wie wird das Wetter morgen?", "Ich möchte etwas zurückgeben", "meine bestellung ist kaputt", "Konto"} {
		top := b.m.rank(q, German, 3)
		fmt.Printf("%-40s", q)
		for _, s := range top {
			fmt.Printf(" %s %.3f", b.entries[s.Class].ID, s.Prob)
		}
		fmt.Println()
	}
}
