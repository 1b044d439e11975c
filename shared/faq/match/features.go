package match

import (
	"math"
	"slices"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

// Feature blocks. Each block is weighted (sublinear tf × idf) and L2-normalised on its own,
// then scaled by its block weight, like a union of TF-IDF vectorisers.
const (
	BlockWord     = iota // stemmed word unigrams and bigrams
	BlockChar            // character n-grams inside word boundaries of the unstemmed words
	BlockConcept         // synonym groups of the stems (lexicon.go)
	BlockFunction        // function words ("habt", "ihr", "the", "how") and bigrams of two
	NumBlocks
)

// Features says which features a text yields.
type Features struct {
	CharMin, CharMax int                // character n-gram lengths, e.g. 2..5
	Bigrams          bool               // stemmed word bigrams
	BlockWeight      [NumBlocks]float32 // weight of each block after its L2 normalisation
	// UnknownMass keeps features never seen in training in each block's norm (with the
	// largest idf), so a query made of unknown words scores low everywhere.
	UnknownMass bool
	// FunctionBlock puts function words and bigrams of two of them in a block of their own,
	// weighted low: "Habt ihr Blumenerde?" must not match "Habt ihr sonntags offen?" on
	// "habt ihr" alone, however few phrasings the KB has to learn that from.
	FunctionBlock bool
	// lex, when set, adds the synonym groups of each stem (BlockConcept). Concept features
	// unknown to the vocab are dropped, not counted as unknown mass, so a model that carries
	// only the groups its vocab knows scores like the full lexicon.
	lex lexicon
}

var defaultFeatures = Features{CharMin: 2, CharMax: 5, Bigrams: true, BlockWeight: [NumBlocks]float32{1, 1, 0.5, 0.3}, UnknownMass: true, FunctionBlock: true}

// rawFeature is one hashed feature occurrence.
type rawFeature struct {
	hash  uint64
	block uint8
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvByte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	return h * fnvPrime
}

// extract appends the hashed features of text, stemmed in lang, to buf.
func (c *Features) extract(buf []rawFeature, text, lang string) []rawFeature {
	words := nlp.Tokens(text)
	var prev uint64
	prevFunc := false
	for i, w := range words {
		s := nlp.Stem(w, lang)
		h := fnvAdd(fnvByte(fnvOffset, 'w'), s)
		fw := c.FunctionBlock && nlp.IsFunctionWord(w)
		if fw {
			buf = append(buf, rawFeature{h, BlockFunction})
		} else {
			buf = append(buf, rawFeature{h, BlockWord})
		}
		if c.lex != nil {
			for _, g := range c.lex[lexKey(lang, s)] {
				buf = append(buf, rawFeature{conceptHash(g), BlockConcept})
			}
		}
		if c.Bigrams {
			if i > 0 {
				b := uint8(BlockWord)
				if fw && prevFunc {
					b = BlockFunction
				}
				buf = append(buf, rawFeature{fnvAdd(fnvByte(prev, ' '), s), b})
			}
			prev = fnvAdd(fnvByte(fnvOffset, 'b'), s)
		}
		prevFunc = fw
		if fw {
			continue // a function word's typos carry nothing
		}
		buf = c.charGrams(buf, nlp.FoldUmlauts(w))
	}
	return buf
}

// charGrams appends the character n-grams of " word " (runes, boundaries included).
func (c *Features) charGrams(buf []rawFeature, w string) []rawFeature {
	rs := make([]rune, 0, len(w)+2)
	rs = append(rs, ' ')
	rs = append(rs, []rune(w)...)
	rs = append(rs, ' ')
	for n := c.CharMin; n <= c.CharMax; n++ {
		for i := 0; i+n <= len(rs); i++ {
			h := fnvByte(fnvOffset, byte('0'+n))
			for _, r := range rs[i : i+n] {
				h = fnvByte(h, byte(r))
				if r >= 0x80 {
					h = fnvByte(h, byte(r>>8))
					h = fnvByte(h, byte(r>>16))
				}
			}
			buf = append(buf, rawFeature{h, BlockChar})
		}
		if n >= len(rs) {
			break
		}
	}
	return buf
}

// sparse is a sparse vector with ascending indices.
type sparse struct {
	idx []int32
	val []float32
}

// vocab maps feature hashes to columns and holds each column's idf.
type vocab struct {
	cfg   Features
	index map[uint64]int32
	idf   []float32
	block []uint8
	// maxIDF is the idf of a feature seen in no training text (used for the unknown mass).
	maxIDF float32
}

// buildVocab indexes every feature of the training texts and computes smooth idf:
// ln((1+n)/(1+df)) + 1.
func buildVocab(cfg Features, texts, langs []string) (*vocab, [][]rawFeature) {
	v := &vocab{cfg: cfg, index: make(map[uint64]int32)}
	raws := make([][]rawFeature, len(texts))
	var df []int32
	seen := make(map[int32]int, 64)
	for i, t := range texts {
		raws[i] = cfg.extract(nil, t, langs[i])
		clear(seen)
		for _, f := range raws[i] {
			j, ok := v.index[f.hash]
			if !ok {
				j = int32(len(df))
				v.index[f.hash] = j
				df = append(df, 0)
				v.block = append(v.block, f.block)
			}
			if _, dup := seen[j]; !dup {
				seen[j] = 1
				df[j]++
			}
		}
	}
	n := float64(len(texts))
	v.idf = make([]float32, len(df))
	for j, d := range df {
		v.idf[j] = float32(math.Log((1+n)/(1+float64(d))) + 1)
	}
	v.maxIDF = float32(math.Log(1+n) + 1)
	return v, raws
}

// vectorize turns raw features into the weighted, normalised sparse vector.
func (v *vocab) vectorize(raw []rawFeature) sparse {
	type cnt struct {
		j int32
		n float32
	}
	counts := make([]cnt, 0, len(raw))
	var unknown [NumBlocks]map[uint64]float32
	for _, f := range raw {
		j, ok := v.index[f.hash]
		if !ok {
			if v.cfg.UnknownMass && f.block != BlockConcept {
				if unknown[f.block] == nil {
					unknown[f.block] = make(map[uint64]float32)
				}
				unknown[f.block][f.hash]++
			}
			continue
		}
		counts = append(counts, cnt{j, 1})
	}
	slices.SortFunc(counts, func(a, b cnt) int { return int(a.j) - int(b.j) })
	out := sparse{idx: make([]int32, 0, len(counts)), val: make([]float32, 0, len(counts))}
	for _, c := range counts {
		if n := len(out.idx); n > 0 && out.idx[n-1] == c.j {
			out.val[n-1]++
			continue
		}
		out.idx = append(out.idx, c.j)
		out.val = append(out.val, 1)
	}
	var norm [NumBlocks]float64
	for k, j := range out.idx {
		w := (1 + float32(math.Log(float64(out.val[k])))) * v.idf[j]
		out.val[k] = w
		norm[v.block[j]] += float64(w * w)
	}
	for b, m := range unknown {
		for _, n := range m {
			w := (1 + math.Log(float64(n))) * float64(v.maxIDF)
			norm[b] += w * w
		}
	}
	var scale [NumBlocks]float32
	for b := range norm {
		if norm[b] > 0 {
			scale[b] = v.cfg.BlockWeight[b] / float32(math.Sqrt(norm[b]))
		}
	}
	for k, j := range out.idx {
		out.val[k] *= scale[v.block[j]]
	}
	return out
}
