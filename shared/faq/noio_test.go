package faq

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ioFiles are the files of this package that may read or write: the sample KB and FAQ_MODEL
// (default.go), the KB's loader (kb.go), the evaluation and test files and their timings
// (eval.go, kbtest.go).
var ioFiles = []string{"default.go", "eval.go", "kb.go", "kbtest.go"}

// TestBotDoesNoIO: the bot's decision, the model and the cross-validation (every other file
// of the package) import nothing that reaches files, the network, logs or the clock. Embedded
// data (embed) is part of the binary, not I/O. Packages match and decide have their own tests.
func TestBotDoesNoIO(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || slices.Contains(ioFiles, name) {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, p := range []string{"os", "io", "net", "log", "syscall", "time", "crypto/rand", "database/sql"} {
				if path == p || strings.HasPrefix(path, p+"/") {
					t.Errorf("%s imports %s: the bot's decision does no I/O (or add the file to ioFiles)", name, path)
				}
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked %d files: not this package's sources", checked)
	}
}
