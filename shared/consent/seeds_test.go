package consent

import (
	"os"
	"strings"
	"testing"
)

// readSeeds returns the non-empty lines of a seed file.
func readSeeds(tb testing.TB, path string) []string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read seeds: %v", err)
	}
	var out []string
	for l := range strings.SplitSeq(string(b), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
