package samtemplate

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoEnv is the sam local --env-vars file, two directories up.
const repoEnv = "../../events/env.json"

// TestEnvJSONMatchesTemplate keeps events/env.json and template.yaml in step. sam local passes a
// variable from --env-vars only if the template declares it for that function, and drops the
// rest silently, so every local value must name a declared variable, and every declared
// variable needs a local value.
func TestEnvJSONMatchesTemplate(t *testing.T) {
	t.Parallel()
	declared := declaredEnv(t, readFile(t, repoTemplate))

	var env map[string]map[string]string
	if err := json.Unmarshal(readFile(t, repoEnv), &env); err != nil {
		t.Fatalf("events/env.json: %v", err)
	}
	global := env["Parameters"]
	if global == nil {
		t.Fatal(`events/env.json has no "Parameters" (values for every function)`)
	}
	for name := range global {
		if !slices.ContainsFunc(slices.Collect(maps.Values(declared)), func(vars map[string]bool) bool { return vars[name] }) {
			t.Errorf("events/env.json Parameters.%s: no function declares it, so sam local drops it", name)
		}
	}
	for fn, vars := range env {
		if fn == "Parameters" {
			continue
		}
		if declared[fn] == nil {
			t.Errorf("events/env.json %s: not a function of template.yaml", fn)
			continue
		}
		for name := range vars {
			if !declared[fn][name] {
				t.Errorf("events/env.json %s.%s: the function does not declare it, so sam local drops it", fn, name)
			}
		}
	}
	for fn, vars := range declared {
		for name := range vars {
			_, own := env[fn][name]
			if _, ok := global[name]; !ok && !own {
				t.Errorf("%s declares %s, but events/env.json gives it no local value", fn, name)
			}
		}
	}

	// The local secrets every helper uses (HELPERS.md, "Local development secrets").
	for name, want := range map[string]string{
		"META_APP_SECRET":      "local-app-secret",
		"META_VERIFY_TOKEN":    "local-verify-token",
		"SLACK_SIGNING_SECRET": "local-slack-secret",
		"CONSENT_API_KEY":      "local-consent-key",
	} {
		if got := global[name]; got != want {
			t.Errorf("events/env.json Parameters.%s = %q, want %q", name, got, want)
		}
	}
}

// declaredEnv returns, per function, the environment variables the template declares for it
// (Globals.Function.Environment.Variables and the function's own).
func declaredEnv(t *testing.T, data []byte) map[string]map[string]bool {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var p parser
	get := func(n *yaml.Node, path ...string) *yaml.Node {
		for _, key := range path {
			n = lookup(p.fields(n, where{}, key), key)
		}
		return n
	}
	names := func(n *yaml.Node) []string {
		var out []string
		for _, f := range p.fields(n, where{}, "Variables") {
			out = append(out, f.key)
		}
		return out
	}
	root := doc.Content[0]
	globals := names(get(root, "Globals", "Function", "Environment", "Variables"))
	out := make(map[string]map[string]bool)
	for _, r := range p.fields(get(root, "Resources"), where{}, "Resources") {
		if typ := get(r.val, "Type"); typ == nil || typ.Value != functionType {
			continue
		}
		vars := make(map[string]bool)
		for _, name := range append(names(get(r.val, "Properties", "Environment", "Variables")), globals...) {
			vars[name] = true
		}
		out[r.key] = vars
	}
	if len(p.errs) > 0 || len(out) == 0 {
		t.Fatalf("read environment of template.yaml: %d functions, errors %v", len(out), p.errs)
	}
	return out
}
