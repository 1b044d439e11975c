// Package knowledge is the FAQ bot's knowledge base: the YAML format (entries, out_of_scope,
// smalltalk), its checks with file, line and entry for every problem, and the small-talk module
// every KB includes. It reads files only in Load; Parse and LoadFS take bytes and a file system.
package knowledge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
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
	// OutOfScope are messages per language the bot must not answer from any entry (a
	// top-level "out_of_scope:" mapping): a shop adds them where it sees wrong answers.
	OutOfScope map[string][]string
	byID       map[string]*Entry
}

// SmallTalkTag marks the entries of the small-talk module (and a KB's own small talk).
const SmallTalkTag = "smalltalk"

// Ids of small-talk entries the decision treats specially: the greeting is the welcome, a
// match of talk-to-person is a request for a person.
const (
	GreetingID     = "greeting"
	TalkToPersonID = "talk-to-person"
)

// IsSmallTalk reports whether the entry is small talk (tagged smalltalk).
func (e *Entry) IsSmallTalk() bool { return slices.Contains(e.Tags, SmallTalkTag) }

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
	for _, l := range nlp.Languages {
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

// Load reads a knowledge base from a YAML file or from every .yaml/.yml file in a folder
// (in name order). It returns CheckErrors when the knowledge base is invalid.
func Load(p string) (*KB, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("load knowledge base: %w", err)
	}
	if st.IsDir() {
		return LoadFS(os.DirFS(p), ".", p)
	}
	return LoadFS(os.DirFS(filepath.Dir(p)), filepath.Base(p), p)
}

// LoadFS reads a knowledge base from fsys: name is a YAML file or a folder of them; display
// is the name used in errors.
func LoadFS(fsys fs.FS, name, display string) (*KB, error) {
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
	var doc kbDoc
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
		d, ferrs := parseKB(b, shown)
		doc.add(d)
		errs = append(errs, ferrs...)
	}
	kb, verrs := newKB(doc, display, len(errs) > 0)
	errs = append(errs, verrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	return kb, nil
}

// Parse parses one YAML document; file is used in errors.
func Parse(b []byte, file string) (*KB, error) {
	doc, errs := parseKB(b, file)
	kb, verrs := newKB(doc, file, len(errs) > 0)
	errs = append(errs, verrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	return kb, nil
}

var entryKeys = []string{"id", "title", "phrasings", "answer", "tags", "human", "followups"}

// kbDoc is what the files of a knowledge base declare.
type kbDoc struct {
	entries []*Entry
	oos     map[string][]string
	// noSmallTalk is set by "smalltalk: false" in any file.
	noSmallTalk bool
}

func (d *kbDoc) add(o kbDoc) {
	d.entries = append(d.entries, o.entries...)
	for l, ps := range o.oos {
		if d.oos == nil {
			d.oos = map[string][]string{}
		}
		d.oos[l] = append(d.oos[l], ps...)
	}
	d.noSmallTalk = d.noSmallTalk || o.noSmallTalk
}

// parseKB decodes one file. The document is a list of entries or a mapping with the list
// under "entries", out-of-scope messages per language under "out_of_scope" and
// "smalltalk: false" to leave out the small-talk module.
func parseKB(b []byte, file string) (kbDoc, CheckErrors) {
	var doc yaml.Node
	var kd kbDoc
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return kd, CheckErrors{yamlError(file, err)}
	}
	if len(doc.Content) == 0 {
		return kd, CheckErrors{{File: file, Msg: "empty document"}}
	}
	root := doc.Content[0]
	list := root
	var errs CheckErrors
	if root.Kind == yaml.MappingNode {
		list = nil
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			switch k.Value {
			case "entries":
				list = v
			case "out_of_scope":
				if err := v.Decode(&kd.oos); err != nil {
					return kd, CheckErrors{yamlError(file, err)}
				}
				for _, l := range sortedKeys(kd.oos) {
					if !slices.Contains(nlp.Languages, l) {
						errs = append(errs, &CheckError{File: file, Line: keyLine(v, l), Msg: fmt.Sprintf("out_of_scope: unsupported language %q (want %s)", l, strings.Join(nlp.Languages, ", "))})
					}
					for _, p := range kd.oos[l] {
						if len(nlp.Tokens(p)) == 0 {
							errs = append(errs, &CheckError{File: file, Line: keyLine(v, l), Msg: fmt.Sprintf("out_of_scope: %q has no word", p)})
						}
					}
				}
			case "smalltalk":
				var on bool
				if err := v.Decode(&on); err != nil {
					return kd, CheckErrors{{File: file, Line: v.Line, Msg: "smalltalk must be true or false"}}
				}
				kd.noSmallTalk = !on
			default:
				return kd, CheckErrors{{File: file, Line: k.Line, Msg: fmt.Sprintf("unknown key %q (want entries, out_of_scope, smalltalk)", k.Value)}}
			}
		}
		if list == nil {
			if len(kd.oos) > 0 || kd.noSmallTalk {
				return kd, errs
			}
			return kd, CheckErrors{{File: file, Line: root.Line, Msg: "no entries"}}
		}
	}
	if list.Kind != yaml.SequenceNode {
		return kd, append(errs, &CheckError{File: file, Line: list.Line, Msg: "entries must be a list"})
	}
	var out []*Entry
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
	kd.entries = out
	return kd, errs
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
		if !slices.Contains(nlp.Languages, l) {
			add(keyLine(n, "phrasings", l), "unsupported language %q (want %s)", l, strings.Join(nlp.Languages, ", "))
			continue
		}
		ps := e.Phrasings[l]
		if len(ps) == 0 {
			add(keyLine(n, "phrasings", l), "no phrasing in %s", l)
		}
		for _, p := range ps {
			if len(nlp.Tokens(p)) == 0 {
				add(keyLine(n, "phrasings", l), "phrasing %q has no word", p)
			}
		}
		langs++
		if e.Answer[l] == "" && !e.Human {
			add(keyLine(n, "answer"), "answer missing in %s", l)
		}
	}
	for _, l := range sortedKeys(e.Answer) {
		switch a := e.Answer[l]; {
		case !slices.Contains(nlp.Languages, l):
			add(keyLine(n, "answer", l), "unsupported language %q", l)
		case strings.TrimSpace(a) == "":
			add(keyLine(n, "answer", l), "empty answer in %s", l)
		case utf8.RuneCountInString(a) > MaxAnswerLen:
			add(keyLine(n, "answer", l), "answer in %s has %d characters, more than %d", l, utf8.RuneCountInString(a), MaxAnswerLen)
		}
	}
	for _, l := range sortedKeys(e.Title) {
		switch t := e.Title[l]; {
		case !slices.Contains(nlp.Languages, l):
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

// newKB indexes the entries, adds the small-talk module (unless the documents leave it out)
// and checks what spans entries: unique ids, follow-up targets. name locates an empty
// knowledge base; failed says earlier errors explain missing entries.
func newKB(doc kbDoc, name string, failed bool) (*KB, CheckErrors) {
	entries := doc.entries
	own := len(entries)
	kb := &KB{Entries: entries, OutOfScope: doc.oos, byID: make(map[string]*Entry, len(entries))}
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
	if !doc.noSmallTalk && own > 0 {
		for _, m := range smallTalk() {
			if e, ok := kb.byID[m.ID]; ok {
				e.mergeModule(m)
				continue
			}
			kb.Entries = append(kb.Entries, m)
			kb.byID[m.ID] = m
		}
		entries = kb.Entries
	}
	for _, e := range entries {
		if len(e.Phrasings) == 0 && e.ID != "" {
			errs = append(errs, &CheckError{File: e.File, Line: e.Line, Entry: e.ID, Msg: fmt.Sprintf("no phrasings (want a list per language: %s)", strings.Join(nlp.Languages, ", "))})
		}
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
	if own == 0 && len(errs) == 0 && !failed {
		errs = append(errs, &CheckError{File: name, Msg: "no entries"})
	}
	return kb, errs
}

// Hash identifies what a model learns from: entry ids, titles, phrasings, answers, tags and
// out-of-scope messages, in order.
func (kb *KB) Hash() string {
	h := sha256.New()
	for _, e := range kb.Entries {
		fmt.Fprintf(h, "%q %q\n", e.ID, e.Tags)
		for _, l := range nlp.Languages {
			fmt.Fprintf(h, "%s %q %q\n", l, e.Title[l], e.Answer[l])
			for _, p := range e.Phrasings[l] {
				fmt.Fprintf(h, "%s %q\n", l, p)
			}
		}
	}
	for _, l := range nlp.Languages {
		for _, p := range kb.OutOfScope[l] {
			fmt.Fprintf(h, "oos %s %q\n", l, p)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
