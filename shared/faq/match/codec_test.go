package match

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

// toyMatcher is trained on toyPhrasings with the background, as a KB's matcher is.
func toyMatcher(t testing.TB) *Matcher {
	t.Helper()
	cfg := DefaultConfig()
	cfg = cfg.Sized(toyPhrasings)
	return Train(cfg, cfg.WithBackground(toyPhrasings), 3)
}

// TestMarshalRoundTrip: a decoded matcher ranks as the trained one did, and encodes to the
// same bytes (the model file of an unchanged KB does not change).
func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	m := toyMatcher(t)
	m.SetScales([2]float64{5, 0.5})
	raw, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.Classes() != 3 || got.Scales() != m.Scales() {
		t.Errorf("decoded %d classes with scales %v, want 3 and %v", got.Classes(), got.Scales(), m.Scales())
	}
	for _, q := range []string{"where is my parcel", "passwort vergessen", "what's the weather like", "xyzzy"} {
		if a, b := m.Rank(q, nlp.English, 3), got.Rank(q, nlp.English, 3); !cmp.Equal(a, b) {
			t.Errorf("Rank(%q) = %v after decoding, want %v", q, b, a)
		}
	}
	again, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, again) {
		t.Error("re-encoding a decoded matcher changed its bytes")
	}
}

// TestUnmarshalRefusesCorruptInput: every truncation of a matcher, and one with a byte too
// many, is an error.
func TestUnmarshalRefusesCorruptInput(t *testing.T) {
	t.Parallel()
	raw, err := toyMatcher(t).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(raw); n += max(1, len(raw)/500) {
		if _, err := Unmarshal(raw[:n]); err == nil {
			t.Fatalf("Unmarshal of the first %d of %d bytes succeeded", n, len(raw))
		}
	}
	if _, err := Unmarshal(append(bytes.Clone(raw), 0)); err == nil {
		t.Error("Unmarshal with a trailing byte succeeded")
	}
}

func FuzzUnmarshal(f *testing.F) {
	raw, err := toyMatcher(f).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err != nil {
			return
		}
		m.Rank("where is my parcel", nlp.English, 3) // must not panic
	})
}
