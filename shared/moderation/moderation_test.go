package moderation

import "testing"

func TestCheck(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]Verdict{
		"You are scammers, delete this account!":                Abusive,
		"Ihr Betrüger, löscht diesen Account!":                  Abusive,
		"Was für ein Drecksladen. Fick dich":                    Abusive,
		"idiooot":                                               Abusive,
		"Follow me for free followers 🔥":                        Spam,
		"Earn money from home, DM me":                           Spam,
		"Best deals at www.cheap-watches.xyz":                   Spam,
		"@anna_b @tom.k @lisa_m look at this":                   Spam,
		"How do I delete my account?":                           OK,
		"Wie lösche ich mein Konto?":                            OK,
		"Kann ich den Artikel zurückschicken?":                  OK,
		"Is this available in blue? @anna_b":                    OK,
		"Do you ship to Vienna?":                                OK,
		"I ordered on www.shop-example.de, where is my parcel?": OK,
		"Das ist ja dumm gelaufen, mein Paket ist nicht da :(":  OK,
	} {
		if got := Check(text); got != want {
			t.Errorf("Check(%q) = %q, want %q", text, got, want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"You scammers, delete this account!", "Wie lösche ich mein Konto?", "www.x.io", "@a @bb @ccc @dddd", "idiooooot", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		v := Check(text)
		if v != OK && v != Abusive && v != Spam {
			t.Fatalf("Check(%q) = %q", text, v)
		}
		if Check(text) != v {
			t.Fatalf("Check(%q) is not deterministic", text)
		}
	})
}
