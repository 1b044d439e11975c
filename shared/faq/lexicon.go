package faq

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"strings"
	"sync"
)

// The synonym groups, compiled by internal/lexgen from WordNet 3.0 (English; © 2006 Princeton
// University, WordNet 3.0 licence) and OpenThesaurus (German; © Daniel Naber and the
// OpenThesaurus contributors, LGPL 2.1): see lexicon/README.md; rebuild them with
// go generate ./shared/faq/internal/lexgen (needs the Debian packages). A word's stem yields one
// "concept" feature per synonym group it belongs to, so "stornieren" and "canceln", or
// "price" and "cost", share a feature the phrasings alone do not give.
//
//go:embed lexicon/*.txt.gz
var lexiconFS embed.FS

// lexicon maps a language-prefixed stem ("d:" or "e:" + stem) to its synonym groups.
type lexicon map[string][]uint32

// maxStemGroups bounds the groups of one stem: a word in many groups is ambiguous.
const maxStemGroups = 6

func lexKey(lang, stem string) string {
	if lang == German {
		return "d:" + stem
	}
	return "e:" + stem
}

// clusterBit marks a group id as a stem's neighbourhood (blockCluster) rather than a synonym
// group.
const clusterBit = 1 << 31

// The word neighbours, compiled by internal/embgen from static word embeddings (English
// GloVe, public domain): a line per stem, the stem and its nearest stems by cosine similarity
// ("wifi wireless router broadband", "cat pet rabbit dog"). Each stem stands for a group of
// itself and the stems that name it as a neighbour; a stem yields its own group and its
// neighbours' groups as features (blockCluster), so "cat" in a question meets "pet" in a
// phrasing though no synonym list joins them. German has no such file yet.
var neighbourFiles = map[string]string{English: "lexicon/en.neighbours.txt.gz"}

// The lexicons a matcher may train with, read once each (a built model carries the part it
// needs): the synonym groups, the clusters, or both.
var (
	synonymLexicon = sync.OnceValue(func() lexicon { return readLexicon(true, false) })
	clusterLexicon = sync.OnceValue(func() lexicon { return readLexicon(false, true) })
	fullLexicon    = sync.OnceValue(func() lexicon { return readLexicon(true, true) })
)

// lexiconFor returns the embedded lexicon a matcher configuration asks for, nil for none.
func lexiconFor(synonyms, clusters bool) lexicon {
	switch {
	case synonyms && clusters:
		return fullLexicon()
	case synonyms:
		return synonymLexicon()
	case clusters:
		return clusterLexicon()
	}
	return nil
}

func readLexicon(synonyms, clusters bool) lexicon {
	lex := lexicon{}
	var next uint32 // the next group's id
	for _, l := range Languages {
		if synonyms {
			for _, g := range readLines("lexicon/" + l + ".txt.gz") {
				for _, s := range g {
					if k := lexKey(l, s); len(lex[k]) < maxStemGroups {
						lex[k] = append(lex[k], next)
					}
				}
				next++
			}
		}
		if name, ok := neighbourFiles[l]; ok && clusters {
			lines := readLines(name)
			id := make(map[string]uint32, len(lines))
			for i, line := range lines {
				id[line[0]] = next + uint32(i)
			}
			for _, line := range lines {
				k := lexKey(l, line[0])
				for _, s := range line {
					if g, ok := id[s]; ok {
						lex[k] = append(lex[k], g|clusterBit)
					}
				}
			}
			next += uint32(len(lines))
		}
	}
	return lex
}

// readLines reads a gzip'ed lexicon file of the embedded ones: its lines' fields.
func readLines(name string) [][]string {
	b, err := lexiconFS.ReadFile(name)
	if err != nil {
		panic("faq: lexicon " + name + " missing: " + err.Error())
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		panic("faq: lexicon " + name + ": " + err.Error())
	}
	var out [][]string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		out = append(out, strings.Fields(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		panic("faq: lexicon " + name + ": " + err.Error())
	}
	return out
}

// groupBlock is the feature block of a group id.
func groupBlock(g uint32) uint8 {
	if g&clusterBit != 0 {
		return blockCluster
	}
	return blockConcept
}

func conceptHash(g uint32) uint64 {
	return fnvAdd(fnvByte(fnvOffset, 'c'), string(binary.LittleEndian.AppendUint32(nil, g)))
}

// restrict keeps the groups whose concept feature v knows: all a query can meet.
func (lex lexicon) restrict(v *vocab) lexicon {
	out := lexicon{}
	for k, gs := range lex {
		var keep []uint32
		for _, g := range gs {
			if _, ok := v.index[conceptHash(g)]; ok {
				keep = append(keep, g)
			}
		}
		if keep != nil {
			out[k] = keep
		}
	}
	return out
}
