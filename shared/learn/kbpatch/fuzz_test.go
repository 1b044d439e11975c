package kbpatch_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn/kbpatch"
)

// FuzzParsePatch: a patch is a file the shop edits by hand. Whatever it holds, ParsePatch
// answers a patch or an error, what it accepts writes back to the same patch, and merging it
// into a knowledge base either refuses or leaves one that loads or reports its problems, never
// a panic.
func FuzzParsePatch(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "patch.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("{}\n"))
	f.Add([]byte("phrasings: [{entry: x, lang: de, add: [a, b]}]\n"))
	f.Add([]byte("entries: [{id: 'a b', phrasings: {xx: []}, answer: {de: ''}}]\n"))
	const kb = "entries:\n  - id: contact\n    phrasings: {de: [Kontakt]}\n    answer: {de: Schreib uns.}\n"
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := kbpatch.ParsePatch(b)
		if err != nil {
			return
		}
		out, err := p.Marshal(time.Unix(0, 0))
		if err != nil {
			t.Fatalf("Marshal of a parsed patch: %v", err)
		}
		again, err := kbpatch.ParsePatch(out)
		if err != nil {
			t.Fatalf("the written patch does not parse: %v\n%s", err, out)
		}
		if len(p.Phrasings)+len(p.Entries) == 0 {
			return
		}
		if diff := cmp.Diff(p, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("patch changed on a round trip (-parsed +again):\n%s", diff)
		}
		path := filepath.Join(t.TempDir(), "kb.yaml")
		if err := os.WriteFile(path, []byte(kb), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := kbpatch.Merge(path, p); err != nil {
			return
		}
		_, _ = faq.LoadKB(path)
	})
}
