package phone

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text    string
		country string
		want    Number
		err     error
	}{
		{"+49 170 1234567", "49", "491701234567", nil},
		{"+49 (0)170 1234567", "49", "491701234567", nil},
		{"0049 170 1234567", "49", "491701234567", nil},
		{"0170 1234567", "49", "491701234567", nil},
		{"0170/1234567", "49", "491701234567", nil},
		{"0170-123 45 67", "49", "491701234567", nil},
		{"0170 1234567", "+49", "491701234567", nil},
		{"0170 1234567", "43", "431701234567", nil},
		{"491701234567", "49", "491701234567", nil},
		{"Meine Nummer ist 0170 1234567, danke", "49", "491701234567", nil},
		{"my number: +44 7911 123456", "49", "447911123456", nil},
		{"+1 (415) 555-0132", "49", "14155550132", nil},
		{"Bestellung 4711 bitte an 0170 1234567", "49", "491701234567", nil},
		{"ja", "49", "", ErrNoNumber},
		{"nein danke", "49", "", ErrNoNumber},
		{"12345", "49", "", ErrNoNumber},
		{"0170 1234567 oder 0171 7654321", "49", "", ErrTwo},
		{"+49 170", "49", "", ErrNoNumber},
		{"+49 170 1234567 8901234", "49", "", ErrLength},
		{"+0 170 1234567", "49", "", ErrLength},
		{"0170 1234567", "", "", ErrCountry},
		{"0170 1234567", "4x9", "", ErrCountry},
		{strings.Repeat("a", 200) + " 0170 1234567", "49", "", ErrNoNumber},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.text, tt.country)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("Parse(%q, %q) = %q, %v; want %q, %v", tt.text, tt.country, got.Digits(), err, tt.want.Digits(), tt.err)
			}
		})
	}
}

func TestNumberNeverPrintsItsDigits(t *testing.T) {
	t.Parallel()
	n := Number("491701234567")
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("granted", "number", n)
	for what, got := range map[string]string{
		"String": n.String(), "%v": fmt.Sprintf("%v", n), "%#v": fmt.Sprintf("%#v", n), "log": logged.String(),
	} {
		if strings.Contains(got, "1701234567") {
			t.Errorf("%s = %q: shows the number", what, got)
		}
	}
	if got, want := n.String(), "+49******67"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := n.E164(), "+491701234567"; got != want {
		t.Errorf("E164 = %q, want %q", got, want)
	}
	if got, want := Mask("123"), "+******"; got != want {
		t.Errorf("Mask(short) = %q, want %q", got, want)
	}
}

func seeds(t testing.TB) []string {
	f, err := os.Open("testdata/numbers.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzParse checks Parse's promises on any input: a result is 8 to 15 digits without a leading
// zero, and parsing its E.164 form gives it back.
func FuzzParse(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s, "49")
	}
	f.Fuzz(func(t *testing.T, text, country string) {
		n, err := Parse(text, country)
		if err != nil {
			if n != "" {
				t.Fatalf("Parse(%q) = %q with error %v", text, n.Digits(), err)
			}
			return
		}
		d := n.Digits()
		if len(d) < MinDigits || len(d) > MaxDigits || d[0] == '0' || strings.Trim(d, "0123456789") != "" || !utf8.ValidString(d) {
			t.Fatalf("Parse(%q) = %q: not E.164 digits", text, d)
		}
		again, err := Parse(n.E164(), "")
		if err != nil || again != n {
			t.Fatalf("Parse(%q) = %q, %v; want %q back", n.E164(), again.Digits(), err, d)
		}
	})
}
