// Command lexgen compiles the synonym groups the matcher uses from two open lexical resources,
// as Debian packages them: WordNet 3.0 (wordnet-base, /usr/share/wordnet; the WordNet 3.0
// licence) for English and OpenThesaurus in LibreOffice's MyThes format (mythes-de,
// /usr/share/mythes; LGPL) for German. It writes one gzip'ed text file per language: a synonym
// group a line, its members as the matcher's stems. Run by
// go generate ./shared/faq/internal/lexgen; the Debian packages are needed only then.
//
// English keeps the common words only (lemmas WordNet saw in its sense-tagged corpus) and
// their two most frequent senses; German keeps single words and drops qualifiers in brackets,
// and adds a group for each hypernym OpenThesaurus names ("Oberbegriff"): the hypernym with
// the words under it, so "Katze" and "Hund" meet in "Raubtier". Groups with fewer than two
// stems or more than maxGroup are left out: they join nothing or everything.
//
//go:generate go run . -o ../../match/lexicon
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

const (
	maxGroup  = 12
	maxSenses = 2
)

func main() {
	wn := flag.String("wordnet", "/usr/share/wordnet", "WordNet dictionary folder")
	thes := flag.String("mythes", "/usr/share/mythes/th_de_DE_v2.dat", "OpenThesaurus in MyThes format")
	out := flag.String("o", "lexicon", "output folder")
	flag.Parse()
	en, err := wordnet(*wn)
	if err != nil {
		log.Fatal(err)
	}
	de, err := myThes(*thes)
	if err != nil {
		log.Fatal(err)
	}
	for lang, groups := range map[string][][]string{nlp.English: en, nlp.German: de} {
		if err := write(filepath.Join(*out, lang+".txt.gz"), groups); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d groups\n", lang, len(groups))
	}
}

func wordnet(dir string) ([][]string, error) {
	members := map[string][]string{}
	var keys []string
	for _, pos := range []string{"noun", "verb", "adj", "adv"} {
		f, err := os.Open(filepath.Join(dir, "index."+pos))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, " ") {
				continue // licence header
			}
			fs := strings.Fields(line)
			if len(fs) < 6 || strings.ContainsAny(fs[0], "_-.'0123456789") {
				continue
			}
			synsets, _ := strconv.Atoi(fs[2])
			ptrs, _ := strconv.Atoi(fs[3])
			if 4+ptrs+2+synsets > len(fs) {
				continue
			}
			tagged, _ := strconv.Atoi(fs[4+ptrs+1])
			if tagged == 0 {
				continue
			}
			offsets := fs[4+ptrs+2:]
			s := nlp.StemWord(fs[0], nlp.English)
			if s == "" {
				continue
			}
			for _, off := range offsets[:min(maxSenses, len(offsets))] {
				k := pos + off
				if _, ok := members[k]; !ok {
					keys = append(keys, k)
				}
				if !slices.Contains(members[k], s) {
					members[k] = append(members[k], s)
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	slices.Sort(keys)
	var groups [][]string
	for _, k := range keys {
		groups = append(groups, members[k])
	}
	return keep(groups), nil
}

var brackets = regexp.MustCompile(`\([^)]*\)`)

// myThes reads a MyThes thesaurus: a line of encoding, then each headword with its count of
// synsets, each synset a line "(part of speech)|term|term (qualifier)|hypernym (Oberbegriff)".
// A synset is listed under each of its headwords; it counts once.
func myThes(path string) ([][]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var groups [][]string
	under := map[string][]string{} // a hypernym's stem: the stems it is named for
	var hypernyms []string
	for _, line := range strings.Split(string(b), "\n")[1:] {
		if !strings.HasPrefix(line, "(") && !strings.HasPrefix(line, "-|") || seen[line] {
			continue // a headword line, or a synset already read
		}
		seen[line] = true
		var g, hs []string
		for _, term := range strings.Split(line, "|")[1:] {
			hyper := strings.Contains(term, "(Oberbegriff)")
			term = strings.TrimSpace(brackets.ReplaceAllString(term, ""))
			if term == "" || strings.ContainsAny(term, " .0123456789") {
				continue
			}
			s := nlp.StemWord(term, nlp.German)
			switch {
			case s == "":
			case hyper && !slices.Contains(hs, s):
				hs = append(hs, s)
			case !hyper && !slices.Contains(g, s):
				g = append(g, s)
			}
		}
		groups = append(groups, g)
		for _, h := range hs {
			if _, ok := under[h]; !ok {
				hypernyms = append(hypernyms, h)
				under[h] = []string{h}
			}
			for _, s := range g {
				if !slices.Contains(under[h], s) {
					under[h] = append(under[h], s)
				}
			}
		}
	}
	for _, h := range hypernyms {
		groups = append(groups, under[h])
	}
	return keep(groups), nil
}

// keep drops groups that join nothing or too much, and sorts each group's stems.
func keep(groups [][]string) [][]string {
	var out [][]string
	for _, g := range groups {
		if len(g) >= 2 && len(g) <= maxGroup {
			slices.Sort(g)
			out = append(out, g)
		}
	}
	return out
}

func write(path string, groups [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(zw)
	for _, g := range groups {
		fmt.Fprintln(w, strings.Join(g, " "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
