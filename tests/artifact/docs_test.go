//go:build linux

package artifact_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsNameRealEventFiles: every events file a doc names exists, and events/README.md
// (or its function's README) describes every events file.
func TestDocsNameRealEventFiles(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	docs = append(docs, filepath.Join(root, "README.md"), filepath.Join(root, "events", "README.md"))
	named := regexp.MustCompile(`events/[a-z-]+/[A-Za-z0-9_.-]+\.json`)
	for _, d := range docs {
		b, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range named.FindAllString(string(b), -1) {
			if _, err := os.Stat(filepath.Join(root, p)); err != nil {
				t.Errorf("%s names %s, which does not exist", filepath.Base(d), p)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "events", "*", "*.json"))
	var readmes strings.Builder
	for _, r := range []string{"events/README.md", "events/slack/README.md"} {
		b, err := os.ReadFile(filepath.Join(root, r))
		if err != nil {
			t.Fatal(err)
		}
		readmes.Write(b)
	}
	for _, f := range files {
		if !strings.Contains(readmes.String(), "`"+filepath.Base(f)+"`") {
			t.Errorf("events/README.md does not describe %s", strings.TrimPrefix(f, root+"/"))
		}
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}
