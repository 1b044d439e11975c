//go:build linux

package artifact_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/frontdesk-app/frontdesk/internal/iamcheck"
	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/app"
	"github.com/frontdesk-app/frontdesk/shared/config"
)

// The permission check: every bootstrap of this suite reaches moto through a recorder, its own
// endpoint per function, and after the suite TestMain decides every distinct call a function
// made (IAM action and resource: table, index, key prefix, queue, parameter) under the
// policies template.yaml gives that function's role, with an IAM policy simulator. A call the
// template does not grant fails the run; on a full run, so does a statement no call needs
// (removing it would not fail the check, so the check could not vouch for it).

// permissions is the permission check of this suite, which drives every function: on a full
// run a statement no call needs fails it too.
var permissions = &iamcheck.Suite{}

// checkPermissions runs the check after the tests (from TestMain, once flags are parsed).
func checkPermissions(w io.Writer) bool {
	full := flag.Lookup("test.run").Value.String() == "" && !testing.Short()
	if skip := flag.Lookup("test.skip"); skip != nil && skip.Value.String() != "" {
		full = false
	}
	permissions.Options.RequireNeeded = full
	return permissions.Check(w)
}

// TestTemplateAgreesWithFunctions: template.yaml deploys exactly the functions of app.Functions,
// each from its folder, with its settings in its environment, its secrets declared (empty, for
// sam local) in its own environment and nowhere else, and its role allowed to read exactly its
// own secrets' parameters, by name (decided by the IAM simulator).
func TestTemplateAgreesWithFunctions(t *testing.T) {
	t.Parallel()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type env struct {
		Environment struct {
			Variables map[string]yaml.Node `yaml:"Variables"`
		} `yaml:"Environment"`
	}
	var tpl struct {
		Globals struct {
			Function env `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				env     `yaml:",inline"`
				CodeURI string `yaml:"CodeUri"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	isSecret := func(k string) bool { return slices.Contains(config.SecretEnvVars(), k) }
	globals := tpl.Globals.Function.Environment.Variables
	for k := range globals {
		if isSecret(k) {
			t.Errorf("Globals declare the secret %s: each function declares only its own", k)
		}
	}
	var deployed []string
	for id, r := range tpl.Resources {
		if r.Type == "AWS::Serverless::Function" {
			deployed = append(deployed, id)
		}
	}
	var listed []string
	for _, f := range app.Functions {
		listed = append(listed, f.Resource)
	}
	if !slices.Equal(slices.Sorted(slices.Values(deployed)), slices.Sorted(slices.Values(listed))) {
		t.Fatalf("template.yaml deploys %q, app.Functions lists %q", slices.Sorted(slices.Values(deployed)), slices.Sorted(slices.Values(listed)))
	}

	c, err := iamcheck.StackChecker()
	if err != nil {
		t.Fatal(err)
	}
	var calls []iamcheck.Call
	for _, f := range app.Functions {
		r := tpl.Resources[f.Resource]
		if r.Properties.CodeURI != f.CodeURI() {
			t.Errorf("%s: CodeUri %q, want %q", f.Resource, r.Properties.CodeURI, f.CodeURI())
		}
		own := r.Properties.Environment.Variables
		for _, s := range f.Settings {
			_, g := globals[s]
			if _, o := own[s]; !g && !o {
				t.Errorf("%s: the setting %s is not in its environment", f.Resource, s)
			}
		}
		var declared []string
		for k, v := range own {
			if isSecret(k) {
				declared = append(declared, k)
				if v.Value != "" {
					t.Errorf("%s: the secret %s has a value in the template; secrets come from SSM", f.Resource, k)
				}
			}
		}
		if !slices.Equal(slices.Sorted(slices.Values(declared)), slices.Sorted(slices.Values(f.Secrets))) {
			t.Errorf("%s declares the secrets %q, app.Functions gives it %q", f.Resource, slices.Sorted(slices.Values(declared)), slices.Sorted(slices.Values(f.Secrets)))
		}
		for _, s := range config.SecretEnvVars() {
			calls = append(calls, iamcheck.Call{Function: f.Name, Action: "ssm:GetParameters",
				Resource: iamcheck.Resource{Kind: "parameter", Name: "/any/" + config.ParamName(s)}})
		}
	}
	findings, err := c.Check(calls)
	if err != nil {
		t.Fatal(err)
	}
	grants := map[string][]string{}
	for _, f := range findings {
		if f.Allowed() {
			grants[f.Call.Function] = append(grants[f.Call.Function], filepath.Base(f.Call.Resource.Name))
		}
	}
	for _, f := range app.Functions {
		var want []string
		for _, s := range f.Secrets {
			want = append(want, config.ParamName(s))
		}
		got := slices.Sorted(slices.Values(grants[f.Name]))
		if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s may read the parameters %q, want exactly its own %q", f.Resource, got, slices.Sorted(slices.Values(want)))
		}
	}
}
