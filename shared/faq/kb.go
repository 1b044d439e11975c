package faq

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Limits that keep every entry sendable on every surface.
const (
	// MaxAnswerLen is Messenger's text limit (WhatsApp allows 4096).
	MaxAnswerLen = 2000
	// MaxTitleLen is the shortest option title limit: WhatsApp reply buttons and Messenger quick
	// replies both allow 20 characters.
	MaxTitleLen = 20
	// MaxFollowUps is WhatsApp's limit of reply buttons on one message.
	MaxFollowUps = 3
	maxIDLen     = 200
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// KB is a knowledge base: the FAQ entries a bot answers from.
type KB struct {
	Entries []*Entry
	byID    map[string]*Entry
}

// Entry is one FAQ topic.
type Entry struct {
	ID string `yaml:"id"`
	// Title is the short label (≤ 20 characters) per language for buttons and quick replies.
	Title map[string]string `yaml:"title"`
	// Phrasings are example questions per language.
	Phrasings map[string][]string `yaml:"phrasings"`
	// Answer is the reply per language.
	Answer map[string]string `yaml:"answer"`
	Tags   []string          `yaml:"tags"`
	// Human marks a topic that always goes to a person (complaints, legal matters).
	Human bool `yaml:"human"`
	// FollowUps are ids of entries offered as buttons under the answer.
	FollowUps []string `yaml:"followups"`

	// Where the entry was defined, for errors.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
}

// Entry returns the entry with the id.
func (kb *KB) Entry(id string) (*Entry, bool) {
	e, ok := kb.byID[id]
	return e, ok
}

// AnswerIn returns the answer in lang, or in the other language when it has none, and the
// language it is in.
func (e *Entry) AnswerIn(lang string) (string, string) {
	return pick(e.Answer, lang)
}

// TitleIn returns the title in lang (falling back like AnswerIn), or a shortened first
// phrasing when the entry has no title.
func (e *Entry) TitleIn(lang string) string {
	if t, _ := pick(e.Title, lang); t != "" {
		return t
	}
	p, _ := pick(firstPhrasings(e.Phrasings), lang)
	return truncate(p, MaxTitleLen)
}

func firstPhrasings(m map[string][]string) map[string]string {
	out := make(map[string]string, len(m))
	for l, ps := range m {
		if len(ps) > 0 {
			out[l] = ps[0]
		}
	}
	return out
}

func pick(m map[string]string, lang string) (string, string) {
	if s := m[lang]; s != "" {
		return s, lang
	}
	for _, l := range Languages {
		if s := m[l]; s != "" {
			return s, l
		}
	}
	return "", lang
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// CheckError is one problem in a knowledge base, located by file, line and entry.
type CheckError struct {
	File  string
	Line  int
	Entry string
	Msg   string
}

func (e *CheckError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Entry != "" {
		fmt.Fprintf(&b, ": entry %q", e.Entry)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// CheckErrors lists every problem found; its Error joins them one per line.
type CheckErrors []*CheckError

func (es CheckErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// LoadKB reads a knowledge base from a YAML file or from every .yaml/.yml file in a folder
// (in name order). It returns CheckErrors when the knowledge base is invalid.
func LoadKB(p string) (*KB, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("load knowledge base: %w", err)
	}
	if st.IsDir() {
		return LoadKBFS(os.DirFS(p), ".", p)
	}
	return LoadKBFS(os.DirFS(filepath.Dir(p)), filepath.Base(p), p)
}

// LoadKBFS reads a knowledge base from fsys: name is a YAML file or a folder of them; display
// is the name used in errors.
func LoadKBFS(fsys fs.FS, name, display string) (*KB, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("load knowledge base %s: %w", display, err)
	}
	files := []string{name}
	if st.IsDir() {
		files = files[:0]
		des, err := fs.ReadDir(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load knowledge base %s: %w", display, err)
		}
		for _, de := range des {
			if ext := path.Ext(de.Name()); !de.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, path.Join(name, de.Name()))
			}
		}
		if len(files) == 0 {
			return nil, CheckErrors{{File: display, Msg: "no .yaml or .yml file in the folder"}}
		}
	}
	var entries []*Entry
	var errs CheckErrors
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("load knowledge base: %w", err)
		}
		shown := display
		if st.IsDir() {
			shown = filepath.Join(display, path.Base(f))
		}
		es, ferrs := parseKB(b, shown)
		entries = append(entries, es...)
		errs = append(errs, ferrs...)
	}
	kb, verrs := newKB(entries, display, len(errs) > 0)
	errs = append(errs, verrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	return kb, nil
}

// ParseKB parses one YAML document; file is used in errors.
func ParseKB(b []byte, file string) (*KB, error) {
	entries, errs := parseKB(b, file)
	kb, verrs := newKB(entries, file, len(errs) > 0)
	errs = append(errs, verrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	return kb, nil
}

var entryKeys = []string{"id", "title", "phrasings", "answer", "tags", "human", "followups"}

// parseKB decodes the entries of one file. The document is a list of entries or a mapping
// with the list under "entries".
func parseKB(b []byte, file string) ([]*Entry, CheckErrors) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return nil, CheckErrors{yamlError(file, err)}
	}
	if len(doc.Content) == 0 {
		return nil, CheckErrors{{File: file, Msg: "empty document"}}
	}
	root := doc.Content[0]
	list := root
	if root.Kind == yaml.MappingNode {
		list = nil
		for i := 0; i+1 < len(root.Content); i += 2 {
			k := root.Content[i]
			if k.Value == "entries" {
				list = root.Content[i+1]
				continue
			}
			return nil, CheckErrors{{File: file, Line: k.Line, Msg: fmt.Sprintf("unknown key %q (want entries)", k.Value)}}
		}
		if list == nil {
			return nil, CheckErrors{{File: file, Line: root.Line, Msg: "no entries"}}
		}
	}
	if list.Kind != yaml.SequenceNode {
		return nil, CheckErrors{{File: file, Line: list.Line, Msg: "entries must be a list"}}
	}
	var out []*Entry
	var errs CheckErrors
	for _, n := range list.Content {
		e := &Entry{File: file, Line: n.Line}
		if n.Kind != yaml.MappingNode {
			errs = append(errs, &CheckError{File: file, Line: n.Line, Msg: "an entry must be a mapping"})
			continue
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Value == "id" {
				e.ID = n.Content[i+1].Value
			}
		}
		bad := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !slices.Contains(entryKeys, k.Value) {
				errs = append(errs, &CheckError{File: file, Line: k.Line, Entry: e.ID, Msg: fmt.Sprintf("unknown key %q", k.Value)})
				bad = true
			}
		}
		if err := n.Decode(e); err != nil {
			ce := yamlError(file, err)
			ce.Entry = e.ID
			if ce.Line == 0 {
				ce.Line = n.Line
			}
			errs = append(errs, ce)
			bad = true
		}
		if !bad {
			errs = append(errs, checkEntryFields(e, n)...)
			out = append(out, e)
		}
	}
	return out, errs
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func yamlError(file string, err error) *CheckError {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	ce := &CheckError{File: file, Msg: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &ce.Line)
		ce.Msg = m[2]
	}
	return ce
}

// keyLine returns the line of the key path in mapping n (the deepest key found), or n's line.
func keyLine(n *yaml.Node, key ...string) int {
	line := n.Line
	for _, k := range key {
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, n = n.Content[i].Line, n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return line
}

// checkEntryFields validates one entry on its own.
func checkEntryFields(e *Entry, n *yaml.Node) CheckErrors {
	var errs CheckErrors
	add := func(line int, format string, args ...any) {
		errs = append(errs, &CheckError{File: e.File, Line: line, Entry: e.ID, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case e.ID == "":
		add(n.Line, "id missing")
	case len(e.ID) > maxIDLen || !idPattern.MatchString(e.ID):
		add(keyLine(n, "id"), "id must be lower-case letters, digits, '.', '_' or '-' (at most %d)", maxIDLen)
	}
	langs := 0
	for _, l := range sortedKeys(e.Phrasings) {
		if !slices.Contains(Languages, l) {
			add(keyLine(n, "phrasings", l), "unsupported language %q (want %s)", l, strings.Join(Languages, ", "))
			continue
		}
		ps := e.Phrasings[l]
		if len(ps) == 0 {
			add(keyLine(n, "phrasings", l), "no phrasing in %s", l)
		}
		for _, p := range ps {
			if len(tokens(p)) == 0 {
				add(keyLine(n, "phrasings", l), "phrasing %q has no word", p)
			}
		}
		langs++
		if e.Answer[l] == "" && !e.Human {
			add(keyLine(n, "answer"), "answer missing in %s", l)
		}
	}
	if langs == 0 {
		add(keyLine(n, "phrasings"), "no phrasings (want a list per language: %s)", strings.Join(Languages, ", "))
	}
	for _, l := range sortedKeys(e.Answer) {
		switch a := e.Answer[l]; {
		case !slices.Contains(Languages, l):
			add(keyLine(n, "answer", l), "unsupported language %q", l)
		case strings.TrimSpace(a) == "":
			add(keyLine(n, "answer", l), "empty answer in %s", l)
		case utf8.RuneCountInString(a) > MaxAnswerLen:
			add(keyLine(n, "answer", l), "answer in %s has %d characters, more than %d", l, utf8.RuneCountInString(a), MaxAnswerLen)
		}
	}
	for _, l := range sortedKeys(e.Title) {
		switch t := e.Title[l]; {
		case !slices.Contains(Languages, l):
			add(keyLine(n, "title", l), "unsupported language %q", l)
		case utf8.RuneCountInString(t) > MaxTitleLen:
			add(keyLine(n, "title", l), "title %q is longer than %d characters (button limit)", t, MaxTitleLen)
		}
	}
	if len(e.FollowUps) > MaxFollowUps {
		add(keyLine(n, "followups"), "%d follow-ups, at most %d (WhatsApp buttons)", len(e.FollowUps), MaxFollowUps)
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// newKB indexes the entries and checks what spans entries: unique ids, follow-up targets.
// name locates an empty knowledge base; failed says earlier errors explain missing entries.
func newKB(entries []*Entry, name string, failed bool) (*KB, CheckErrors) {
	kb := &KB{Entries: entries, byID: make(map[string]*Entry, len(entries))}
	var errs CheckErrors
	for _, e := range entries {
		if e.ID == "" {
			continue
		}
		if prev, ok := kb.byID[e.ID]; ok {
			errs = append(errs, &CheckError{File: e.File, Line: e.Line, Entry: e.ID,
				Msg: fmt.Sprintf("duplicate id (first defined at %s:%d)", prev.File, prev.Line)})
			continue
		}
		kb.byID[e.ID] = e
	}
	for _, e := range entries {
		for _, f := range e.FollowUps {
			switch _, ok := kb.byID[f]; {
			case f == e.ID:
				errs = append(errs, &CheckError{File: e.File, Line: e.Line, Entry: e.ID, Msg: "follows up on itself"})
			case !ok:
				errs = append(errs, &CheckError{File: e.File, Line: e.Line, Entry: e.ID, Msg: fmt.Sprintf("follow-up %q is no entry", f)})
			}
		}
	}
	if len(entries) == 0 && len(errs) == 0 && !failed {
		errs = append(errs, &CheckError{File: name, Msg: "no entries"})
	}
	return kb, errs
}
