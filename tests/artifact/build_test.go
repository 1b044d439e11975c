//go:build linux

package artifact_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
)

// rieModule is the emulator's command; tools/rie/go.mod pins its version.
const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// helloPkg is the baseline function of BenchmarkColdStart.
const helloPkg = "./tests/artifact/testdata/hello"

// binaries are the artifacts of one test binary run.
type binaries struct {
	root      string            // repository root
	rie       string            // the emulator
	bootstrap map[string]string // function name (functions/<name>) -> its bootstrap
	hello     string            // the hello-world bootstrap
	took      time.Duration
}

// functions lists the function names in order.
func (b *binaries) functions() []string {
	var names []string
	for n := range b.bootstrap {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

var build struct {
	once sync.Once
	dir  string // removed by TestMain
	bins *binaries
	err  error
}

func TestMain(m *testing.M) {
	code := testenv.Run(m)
	if code == 0 && !checkPermissions(os.Stderr) {
		code = 1
	}
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// artifacts builds every bootstrap, the hello-world bootstrap and the emulator, once per test
// binary run, and fails tb if that fails.
func artifacts(tb testing.TB) *binaries {
	tb.Helper()
	build.once.Do(func() { build.bins, build.err = buildAll() })
	if build.err != nil {
		tb.Fatal(build.err)
	}
	return build.bins
}

func buildAll() (*binaries, error) {
	start := time.Now()
	root, err := testenv.RepoRoot()
	if err != nil {
		return nil, err
	}
	if err := trackSources(root); err != nil {
		return nil, err
	}
	mains, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil || len(mains) == 0 {
		return nil, fmt.Errorf("no functions/*/main.go under %s (%v)", root, err)
	}
	if build.dir, err = os.MkdirTemp("", "frontdesk-artifacts-"); err != nil {
		return nil, err
	}
	b := &binaries{root: root, bootstrap: map[string]string{}}

	// Every function and the baseline in one go build: it shares the work, and each binary is
	// named after its package directory.
	out := filepath.Join(build.dir, "out") + string(filepath.Separator)
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out}
	for _, m := range mains {
		args = append(args, "./functions/"+filepath.Base(filepath.Dir(m)))
	}
	args = append(args, helloPkg)
	// As shipped, except the architecture: the emulator runs the binary natively.
	if err := goCmd(root, []string{"GOOS=linux", "GOARCH=" + runtime.GOARCH, "CGO_ENABLED=0"}, args...); err != nil {
		return nil, err
	}
	for _, m := range mains {
		name := filepath.Base(filepath.Dir(m))
		dst := filepath.Join(build.dir, name, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(out, name), dst); err != nil {
			return nil, err
		}
		b.bootstrap[name] = dst
	}
	b.hello = filepath.Join(build.dir, "hello", "bootstrap")
	if err := os.MkdirAll(filepath.Dir(b.hello), 0o755); err != nil {
		return nil, err
	}
	if err := os.Rename(filepath.Join(out, "hello"), b.hello); err != nil {
		return nil, err
	}

	b.rie = filepath.Join(build.dir, "aws-lambda-rie")
	if err := goCmd(root, []string{"CGO_ENABLED=0"}, "build", "-C", filepath.Join(root, "tools", "rie"), "-o", b.rie, rieModule); err != nil {
		return nil, err
	}
	b.took = time.Since(start)
	return b, nil
}

// trackSources stats every Go source and module file of the repository. go test caches a
// package's result keyed on the files the test itself opened or statted; the bootstraps are
// built by a child go command, so without this a change in, say, shared/bot would leave a
// cached PASS of this package in place.
func trackSources(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".tools", ".aws-sam", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if n := d.Name(); strings.HasSuffix(n, ".go") || n == "go.mod" || n == "go.sum" || strings.HasSuffix(n, ".yaml") {
			_, err = os.Stat(p)
		}
		return err
	})
}

// goCmd runs the go command (go test puts its own first on PATH) in dir, with the test's
// environment plus env.
func goCmd(dir string, env []string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s go %v: %v\n%s", env, args, err, out.Bytes())
	}
	return nil
}
