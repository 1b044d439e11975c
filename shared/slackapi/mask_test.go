package slackapi

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		// Phone numbers: no false negatives on typical DE/EN formats.
		{"e164", "call me on +4917112345678", "call me on [phone]"},
		{"e164 spaced", "+49 171 1234567", "[phone]"},
		{"e164 grouped", "+49 171 123 45 67 bitte", "[phone] bitte"},
		{"de trunk zero in parens", "+49 (0)171 1234567", "[phone]"},
		{"de trunk zero spaced parens", "+49 (0) 30 1234 5678", "[phone]"},
		{"de mobile slash", "Meine Nummer: 0171/1234567.", "Meine Nummer: [phone]."},
		{"de mobile dash", "0171-1234567", "[phone]"},
		{"de mobile mixed", "0171 - 123 45 67", "[phone]"},
		{"de landline", "Festnetz 030 12345678, abends", "Festnetz [phone], abends"},
		{"de landline parens", "(030) 1234567", "[phone]"},
		{"de 0049", "0049 171 1234567", "[phone]"},
		{"de no-break spaces", "0171\u00a0123\u00a04567", "[phone]"},
		{"us parens", "(555) 123-4567", "[phone]"},
		{"us dots", "555.123.4567", "[phone]"},
		{"us +1", "+1 555 123 4567", "[phone]"},
		{"uk", "+44 20 7946 0958", "[phone]"},
		{"uk national", "020 7946 0958", "[phone]"},
		{"fr dots", "06.12.34.56.78", "[phone]"},
		{"seven digits", "1234567", "[phone]"},
		{"after colon", "Tel:01711234567", "Tel:[phone]"},
		{"after plus text", "WhatsApp +4917112345678!", "WhatsApp [phone]!"},
		{"two numbers", "0171 1234567 oder 030 7654321", "[phone] oder [phone]"},
		{"multiline", "Nummer:\n0171 1234567\nDanke", "Nummer:\n[phone]\nDanke"},
		{"card number", "4111 1111 1111 1111", "[card]"},
		{"card dashes", "Karte 5500-0000-0000-0004, Ablauf 12/27", "Karte [card], Ablauf 12/27"},
		{"amex 15 digits", "3782 822463 10005", "[card]"},
		{"card glued", "4111111111111111", "[card]"},
		{"sixteen digits not luhn", "4111 1111 1111 1112", "[number]"},
		{"iban spaced", "DE89 3704 0044 0532 0130 00", "[iban]"},
		{"iban compact", "IBAN: DE89370400440532013000.", "IBAN: [iban]."},
		{"iban lower case", "de89 3704 0044 0532 0130 00 bitte", "[iban] bitte"},
		{"iban wrong check digits", "DE00 3704 0044 0532 0130 00", "[iban]"},
		{"iban gb", "GB82 WEST 1234 5698 7654 32", "[iban]"},
		{"iban at", "AT61 1904 3002 3457 3201 danke", "[iban] danke"},
		{"iban ch", "CH93 0076 2011 6238 5295 7", "[iban]"},
		{"iban then text", "Konto DE89370400440532013000 gehört Anna", "Konto [iban] gehört Anna"},
		{"order without hash is masked", "Bestellung 12345678", "Bestellung [phone]"},
		// E-mail addresses.
		{"email", "mail me: max.mustermann@example.com", "mail me: [email]"},
		{"email plus tag", "anna+shop@mail.example.co.uk thanks", "[email] thanks"},
		{"email umlaut", "jürgen@müller.de", "[email]"},
		{"email with digits", "max1234567@web.de", "[email]"},
		{"email in angle brackets", "<max@example.org>", "<[email]>"},
		{"email and phone", "max@example.org / 0171 1234567", "[email] / [phone]"},
		// Kept on purpose.
		{"order hash", "order #12345", "order #12345"},
		{"order hash long", "Bestellung #123456789", "Bestellung #123456789"},
		{"short number", "PLZ 10115, Hausnr 12", "PLZ 10115, Hausnr 12"},
		{"six digits", "123456", "123456"},
		{"price", "kostet 1.299,00 €", "kostet 1.299,00 €"},
		{"date de", "am 12.03.2024 um 14:30", "am 12.03.2024 um 14:30"},
		{"date iso", "2024-03-12", "2024-03-12"},
		{"date us", "03/12/2024", "03/12/2024"},
		{"date then time", "12.03.2024 14.30", "12.03.2024 14.30"},
		{"date range", "12.03.2024-15.03.2024", "12.03.2024-15.03.2024"},
		{"date then phone", "12.03.2024 0171 1234567", "12.03.2024 [phone]"},
		{"product code", "Artikel A1234567B", "Artikel A1234567B"},
		{"country and code are no iban", "DE12 Lieferung", "DE12 Lieferung"},
		{"short code like an iban start", "AB12 3456", "AB12 3456"},
		{"time", "10:00-12:00", "10:00-12:00"},
		{"empty", "", ""},
		{"no digits", "Ich möchte mit einem Menschen sprechen", "Ich möchte mit einem Menschen sprechen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskID(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"4917112345667", "49******67"},
		{"1234567890123456", "12******56"},
		{"12345678", "12******78"},
		{"1234567", "******"},
		{"", "******"},
		{"äöüßäöüß", "äö******üß"},
	}
	for _, tt := range tests {
		if got := MaskID(tt.in); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCustomerText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"escapes mentions", "hey <!channel> & <@U123>", 100, "hey &lt;!channel&gt; &amp; &lt;@U123&gt;"},
		{"masks then escapes", "<max@example.org>", 100, "&lt;[email]&gt;"},
		{"truncates", strings.Repeat("a", 20), 10, "aaaaaaaaa…"},
		{"no half escape", "aaaaaaa&bbb", 10, "aaaaaaa…"},
	}
	for _, tt := range tests {
		if got := customerText(tt.in, tt.max); got != tt.want {
			t.Errorf("%s: customerText(%q, %d) = %q, want %q", tt.name, tt.in, tt.max, got, tt.want)
		}
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"+49 171 1234567", "max@example.org", "#1234567", "12.03.2024 0171 1234567", "06.12.34.56.78",
		"DE89 3704 0044 0532 0130 00", "4111 1111 1111 1111", "GB82WEST12345698765432x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Mask(s)
		// Masking is idempotent and leaves no run of 7+ digits that Mask would mask.
		if again := Mask(got); again != got {
			t.Errorf("Mask not idempotent: %q -> %q -> %q", s, got, again)
		}
		// No IBAN that passes its checksum and no card number survives.
		for _, loc := range ibanRE.FindAllStringIndex(got, -1) {
			if n := ibanEnd(got[loc[0]:loc[1]]); n > 0 {
				compact := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(got[loc[0] : loc[0]+n]))
				if len(compact) >= 15 && mod97([]byte(compact)) == 1 && !isWordRune(firstRune(got[loc[0]+n:])) {
					t.Errorf("IBAN %q left in %q (from %q)", compact, got, s)
				}
			}
		}
	})
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
