package faq

import "testing"

func TestAsksForHuman(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"Ich möchte mit einem Mitarbeiter sprechen", true},
		{"Kann ich mit einem Menschen reden?", true},
		{"echter Mensch bitte", true},
		{"I want to speak to someone", true},
		{"human", true},
		{"connect me to an agent", true},
		{"Kann ich bitte mit der Rezeption sprechen?", true},
		{"jemand vom Team soll mich bitte anrufen", true},
		{"Ich will mit einem echten Menschen reden", true},
		{"please call me", true},
		{"Can you call me back?", true},
		{"I'd like to speak to someone", true},
		{"Ruft mich bitte zurück", true},
		{"Kann ich den Chef sprechen?", true},
		{"Wo ist mein Paket?", false},
		{"Can I call you?", false},
		{"Wann ist die Rezeption besetzt?", false},
		{"Wie kann ich euch telefonisch erreichen?", false},
		{"Can I send the parcel to another person?", false},
		{"When is customer support available?", false},
	}
	for _, tt := range tests {
		if got := asksForHuman(tt.in); got != tt.want {
			t.Errorf("asksForHuman(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
