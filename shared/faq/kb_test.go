package faq

import "testing"

func TestSampleKB(t *testing.T) {
	t.Parallel()
	kb, err := SampleKB()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(kb.Entries); n < 30 {
		t.Errorf("sample entries = %d, want ≥ 30", n)
	}
	human := 0
	for _, e := range kb.Entries {
		for _, l := range Languages {
			if len(e.Phrasings[l]) == 0 {
				t.Errorf("entry %s has no %s phrasing", e.ID, l)
			}
		}
		if e.Human {
			human++
		}
	}
	if human == 0 {
		t.Error("sample has no human: true entry")
	}
}
