package decide_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDoesNoIO: the decision is a pure function of a ranking and the policy. It imports
// nothing that reads or writes files, the network, logs or the clock, directly or through
// another package, and nothing outside the standard library.
func TestDoesNoIO(t *testing.T) {
	t.Parallel()
	const self = "github.com/frontdesk-app/frontdesk/shared/faq/decide"
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", self).Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	var deps []string
	found := false
	for line := range strings.Lines(string(out)) {
		path, standard, _ := strings.Cut(strings.TrimSpace(line), " ")
		deps = append(deps, path)
		switch {
		case path == self:
			found = true
		case standard != "true":
			t.Errorf("the decision depends on %s, outside the standard library", path)
		case doesIO(path):
			t.Errorf("the decision depends on %s, which does I/O", path)
		}
	}
	if !found {
		t.Fatalf("go list -deps names %d packages without %s: not the list of this package", len(deps), self)
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
