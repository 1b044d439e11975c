package match_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const self = "github.com/frontdesk-app/frontdesk/shared/faq/match"

// allowed are the packages outside the standard library the matcher may be built from: text
// (nlp and its stemmer), the ranking's types (decide) and the model file's fields (wire).
// Not the knowledge base, not the bot: the matcher knows classes, not entries or what a
// customer is shown.
var allowed = []string{
	"github.com/frontdesk-app/frontdesk/shared/faq/decide",
	"github.com/frontdesk-app/frontdesk/shared/faq/nlp",
	"github.com/frontdesk-app/frontdesk/shared/faq/internal/wire",
	"github.com/kljensen/snowball/",
}

// TestDoesNoIO: the matcher does no I/O. Neither it nor any package outside the standard
// library it is built from imports what reads or writes files, the network, logs or the
// clock; its own data is embedded in the binary (embed, in this package only). The standard
// library's packages it imports (fmt, compress/gzip over embedded bytes) are checked by
// their use here, not by their own imports.
func TestDoesNoIO(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}} {{join .Imports \" \"}}{{end}}", self).Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	found := false
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		path, imports := fields[0], fields[1:]
		if path == self {
			found = true
		} else if !slices.ContainsFunc(allowed, func(a string) bool { return path == a || strings.HasSuffix(a, "/") && strings.HasPrefix(path, a) }) {
			t.Errorf("the matcher depends on %s: not one of the packages it may be built from", path)
		}
		for _, imp := range imports {
			if doesIO(imp) && !(path == self && imp == "embed") {
				t.Errorf("%s imports %s, which does I/O", path, imp)
			}
		}
	}
	if !found {
		t.Fatalf("go list -deps does not name %s: not the list of this package", self)
	}
}

// ioPackages are the standard library's roots of I/O: files, processes, the network, logs,
// the clock, embedded files.
var ioPackages = []string{"os", "io", "net", "log", "syscall", "time", "embed", "crypto/rand", "database/sql", "plugin"}

func doesIO(path string) bool {
	for _, p := range ioPackages {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}
