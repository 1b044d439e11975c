// Package kbpatch turns knowledge-base suggestions (package learn) into the YAML patch a shop
// reviews, merges a reviewed patch into a knowledge base, and tells which suggestions a
// knowledge base already holds (accepted).
package kbpatch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn"
)

// Patch is the YAML the shop reviews: new phrasings of existing entries, and new entries whose
// answer an agent wrote. Its entries are ordinary knowledge-base entries, so a reviewer edits
// them like the rest of the knowledge base; Merge applies the whole patch.
type Patch struct {
	Phrasings []PhrasingPatch `yaml:"phrasings,omitempty"`
	Entries   []NewEntry      `yaml:"entries,omitempty"`
}

// NewEntry is a knowledge-base entry an agent proposed: the customer's question as its
// phrasing, the agent's reply as its answer. The reviewer adds a title and more phrasings.
type NewEntry struct {
	ID        string              `yaml:"id"`
	Phrasings map[string][]string `yaml:"phrasings"`
	Answer    map[string]string   `yaml:"answer"`
}

// PhrasingPatch adds phrasings in one language to one existing entry.
type PhrasingPatch struct {
	Entry string   `yaml:"entry"`
	Lang  string   `yaml:"lang"`
	Add   []string `yaml:"add"`
}

// normalize is how a phrasing is compared: case, spacing and final punctuation do not matter.
func normalize(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// hasPhrasing reports whether the entry already has the phrasing in lang.
func hasPhrasing(e *faq.Entry, lang, q string) bool {
	n := normalize(q)
	return slices.ContainsFunc(e.Phrasings[lang], func(p string) bool { return normalize(p) == n })
}

// Accepted reports whether the knowledge base holds the suggestion: its question is a phrasing
// of its entry, or (a new entry) of any entry. A suggestion is accepted when the shop merged it
// and the bot runs on the rebuilt knowledge base; it is then removed.
func Accepted(kb *faq.KB, s learn.Suggestion) bool {
	if s.Entry != "" {
		e, ok := kb.Entry(s.Entry)
		return ok && hasPhrasing(e, s.Lang, s.Question)
	}
	return slices.ContainsFunc(kb.Entries, func(e *faq.Entry) bool { return hasPhrasing(e, s.Lang, s.Question) })
}

// Waiting returns the suggestions the knowledge base does not hold yet.
func Waiting(kb *faq.KB, ss []learn.Suggestion) []learn.Suggestion {
	var out []learn.Suggestion
	for _, s := range ss {
		if !Accepted(kb, s) {
			out = append(out, s)
		}
	}
	return out
}

// NewEntryID is the id a patch gives the new entry of suggestion id: the reviewer renames it.
func NewEntryID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "suggested-" + hex.EncodeToString(sum[:4])
}

// BuildPatch turns suggestions into a patch against kb: phrasings grouped per entry and language
// (those kb already holds, and repeats, left out; those naming an entry kb does not have become
// new entries only when they carry an answer, else they are left out), new entries with the
// question as their phrasing and the agent's reply as their answer. skipped counts the
// suggestions left out.
func BuildPatch(kb *faq.KB, ss []learn.Suggestion) (p Patch, skipped int) {
	type group struct{ entry, lang string }
	idx := map[group]int{}
	for _, s := range ss {
		if Accepted(kb, s) {
			skipped++
			continue
		}
		if s.Entry != "" {
			if _, ok := kb.Entry(s.Entry); ok {
				g := group{s.Entry, s.Lang}
				i, ok := idx[g]
				if !ok {
					i = len(p.Phrasings)
					idx[g] = i
					p.Phrasings = append(p.Phrasings, PhrasingPatch{Entry: s.Entry, Lang: s.Lang})
				}
				pp := &p.Phrasings[i]
				if !slices.ContainsFunc(pp.Add, func(a string) bool { return normalize(a) == normalize(s.Question) }) {
					pp.Add = append(pp.Add, s.Question)
				}
				continue
			}
			if s.NewAnswer == "" {
				skipped++ // its entry was removed from the knowledge base meanwhile
				continue
			}
		}
		p.Entries = append(p.Entries, NewEntry{
			ID:        NewEntryID(s.ID),
			Phrasings: map[string][]string{s.Lang: {s.Question}},
			Answer:    map[string]string{s.Lang: s.NewAnswer},
		})
	}
	return p, skipped
}

// Marshal writes the patch as YAML under a comment that says where it came from and how to
// merge it.
func (p Patch) Marshal(generated time.Time) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Knowledge-base suggestions from the agents' escalation threads (frontdesk faq suggestions, %s).\n", generated.UTC().Format("2006-01-02"))
	b.WriteString("# Review: delete what should not go in, reword, rename the suggested-… ids and give new entries a title.\n")
	b.WriteString("# Merge: frontdesk faq merge KB THIS_FILE, then frontdesk faq check KB and rebuild the model.\n")
	if len(p.Phrasings) == 0 && len(p.Entries) == 0 {
		b.WriteString("{}\n")
		return b.Bytes(), nil
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ParsePatch reads a patch, refusing unknown keys.
func ParsePatch(b []byte) (Patch, error) {
	var p Patch
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil && err.Error() != "EOF" {
		return p, fmt.Errorf("patch: %w", err)
	}
	return p, nil
}

// NewEntriesFile is the file of a knowledge-base folder that Merge adds new entries to.
const NewEntriesFile = "suggested.yaml"

// Merge applies the patch to the knowledge base at path (a YAML file or a folder of them), in
// place, keeping the files' comments and layout: each phrasing is appended to its entry's list
// in the file that defines the entry, new entries go to the end of a single-file knowledge base
// or into NewEntriesFile of a folder. It refuses a patch whose entry does not exist or whose new
// entry's id is taken, and changes nothing then. Check the result with faq.LoadKB.
func Merge(path string, p Patch) (added int, err error) {
	files, err := kbFiles(path)
	if err != nil {
		return 0, err
	}
	docs := make([]*yaml.Node, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return 0, fmt.Errorf("%s: %w", f, err)
		}
		docs[i] = &doc
	}
	changed := map[int]bool{}
	for _, pp := range p.Phrasings {
		fi, entry := findEntry(docs, pp.Entry)
		if entry == nil {
			return 0, fmt.Errorf("merge: entry %q is not in the knowledge base", pp.Entry)
		}
		list := phrasingList(entry, pp.Lang)
		for _, q := range pp.Add {
			if slices.ContainsFunc(list.Content, func(n *yaml.Node) bool { return normalize(n.Value) == normalize(q) }) {
				continue
			}
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: q})
			added++
		}
		changed[fi] = true
	}
	var newDoc *yaml.Node
	newFile := ""
	if len(p.Entries) > 0 {
		for _, e := range p.Entries {
			if _, n := findEntry(docs, e.ID); n != nil {
				return 0, fmt.Errorf("merge: entry id %q is already taken", e.ID)
			}
		}
		if st, _ := os.Stat(path); st.IsDir() {
			newFile = filepath.Join(path, NewEntriesFile)
			if i := slices.Index(files, newFile); i >= 0 {
				newDoc, changed[i] = docs[i], true
			} else {
				newDoc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Value: "entries"}, {Kind: yaml.SequenceNode},
				}}}}
				newDoc.Content[0].HeadComment = "Entries proposed by agents (frontdesk faq merge); review them like the others."
			}
		} else {
			newDoc, changed[0] = docs[0], true
		}
		list := entriesList(newDoc)
		if list == nil {
			return 0, fmt.Errorf("merge: the knowledge base file has no entries list")
		}
		for _, e := range p.Entries {
			var n yaml.Node
			if err := n.Encode(e); err != nil {
				return 0, err
			}
			list.Content = append(list.Content, &n)
			added++
		}
	}
	for i := range changed {
		if err := writeYAML(files[i], docs[i]); err != nil {
			return 0, err
		}
	}
	if newFile != "" && !slices.Contains(files, newFile) {
		if err := writeYAML(newFile, newDoc); err != nil {
			return 0, err
		}
	}
	return added, nil
}

func writeYAML(path string, doc *yaml.Node) error {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// kbFiles lists the YAML files of a knowledge base, as faq.LoadKB reads them.
func kbFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	des, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, de := range des {
		if ext := filepath.Ext(de.Name()); !de.IsDir() && (ext == ".yaml" || ext == ".yml") {
			out = append(out, filepath.Join(path, de.Name()))
		}
	}
	return out, nil
}

// entriesList is the entries sequence of a knowledge-base document: the document itself when
// it is a list, else the value of its "entries" key.
func entriesList(doc *yaml.Node) *yaml.Node {
	if doc == nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.SequenceNode {
		return root
	}
	if v := mapValue(root, "entries"); v != nil && v.Kind == yaml.SequenceNode {
		return v
	}
	return nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func findEntry(docs []*yaml.Node, id string) (int, *yaml.Node) {
	for i, d := range docs {
		list := entriesList(d)
		if list == nil {
			continue
		}
		for _, e := range list.Content {
			if v := mapValue(e, "id"); v != nil && v.Value == id {
				return i, e
			}
		}
	}
	return -1, nil
}

// phrasingList returns the entry's phrasing list in lang, creating it (block style).
func phrasingList(entry *yaml.Node, lang string) *yaml.Node {
	ph := mapValue(entry, "phrasings")
	if ph == nil {
		ph = &yaml.Node{Kind: yaml.MappingNode}
		entry.Content = append(entry.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "phrasings"}, ph)
	}
	list := mapValue(ph, lang)
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode}
		ph.Content = append(ph.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: lang}, list)
	}
	return list
}
