package match

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"strings"
	"sync"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
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
	if lang == nlp.German {
		return "d:" + stem
	}
	return "e:" + stem
}

// fullLexicon is the whole embedded lexicon, read when a matcher is trained (a built model
// carries the part it needs).
var fullLexicon = sync.OnceValue(func() lexicon {
	lex := lexicon{}
	var next uint32
	for _, l := range nlp.Languages {
		b, err := lexiconFS.ReadFile("lexicon/" + l + ".txt.gz")
		if err != nil {
			panic("match: lexicon for " + l + " missing: " + err.Error())
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			panic("match: lexicon for " + l + ": " + err.Error())
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			for _, s := range strings.Fields(sc.Text()) {
				k := lexKey(l, s)
				if len(lex[k]) < maxStemGroups {
					lex[k] = append(lex[k], next)
				}
			}
			next++
		}
		if err := sc.Err(); err != nil {
			panic("match: lexicon for " + l + ": " + err.Error())
		}
	}
	return lex
})

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
