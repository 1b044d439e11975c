package faq

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDocsYAMLParses parses every ```yaml block of README.md and docs/*.md: a knowledge base
// with ParseKB, test questions (a list with expect:) with ParseTestCases, anything else
// (a manifest, a template) as YAML.
func TestDocsYAMLParses(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../README.md")
	blocks := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) != "```yaml" {
				continue
			}
			at := i + 1
			var block []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				block = append(block, lines[i])
			}
			blocks++
			src := []byte(strings.Join(block, "\n"))
			name := filepath.Base(f) + ":" + strconv.Itoa(at)
			switch kind := yamlKind(src); kind {
			case "kb":
				if _, err := ParseKB(src, name); err != nil {
					t.Errorf("%s: the knowledge base does not load:\n%v", name, err)
				}
			case "tests":
				if _, err := ParseTestCases(src, name+".yaml"); err != nil {
					t.Errorf("%s: the test questions do not parse: %v", name, err)
				}
			default:
				var v any
				if err := yaml.Unmarshal(src, &v); err != nil {
					t.Errorf("%s: invalid YAML: %v", name, err)
				}
			}
		}
	}
	if blocks < 4 {
		t.Errorf("found %d YAML blocks in the docs, want the KB examples of docs/faq.md at least", blocks)
	}
}

// yamlKind tells a knowledge base (entries with phrasings) from test questions (items with
// expect) and from other YAML.
func yamlKind(src []byte) string {
	var v any
	if yaml.Unmarshal(src, &v) != nil {
		return "kb" // let ParseKB report the error with its line
	}
	items, _ := v.([]any)
	if m, ok := v.(map[string]any); ok {
		if _, ok := m["phrasings"]; ok {
			return "other" // a suggestions patch (frontdesk faq suggestions), not a KB
		}
		if _, ok := m["entries"]; ok {
			return "kb"
		}
		if _, ok := m["out_of_scope"]; ok {
			return "kb"
		}
		return "other"
	}
	for _, it := range items {
		m, _ := it.(map[string]any)
		if _, ok := m["expect"]; ok {
			return "tests"
		}
		if _, ok := m["phrasings"]; ok {
			return "kb"
		}
	}
	return "other"
}
