package match

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/frontdesk-app/frontdesk/shared/faq/internal/wire"
)

// MarshalBinary encodes the matcher (little-endian): its score weights, feature settings,
// vocabulary, the synonym groups its vocabulary knows and the two linear models. The encoding
// is the last part of a model file (package faq writes the header before it).
func (m *Matcher) MarshalBinary() ([]byte, error) {
	var w wire.Writer
	w.F64(m.scale[0])
	w.F64(m.scale[1])
	fc := m.cfg.Features
	w.U32(uint32(fc.CharMin))
	w.U32(uint32(fc.CharMax))
	w.Bool(fc.Bigrams)
	w.Bool(fc.UnknownMass)
	w.Bool(fc.FunctionBlock)
	for _, bw := range fc.BlockWeight {
		w.F32(bw)
	}
	v := m.voc
	hashes := make([]uint64, len(v.idf))
	for h, j := range v.index {
		hashes[j] = h
	}
	w.U32(uint32(len(hashes)))
	for _, h := range hashes {
		w.U64(h)
	}
	for _, x := range v.idf {
		w.F32(x)
	}
	w.Raw(v.block)
	w.F32(v.maxIDF)
	w.Bool(fc.lex != nil)
	if fc.lex != nil {
		lex := fc.lex.restrict(v)
		w.U32(uint32(len(lex)))
		keys := slices.Sorted(maps.Keys(lex))
		for _, k := range keys {
			w.Str(k)
			w.U32(uint32(len(lex[k])))
			for _, g := range lex[k] {
				w.U32(g)
			}
		}
	}
	w.U32(uint32(m.nClass))
	w.Bool(m.none)
	writeLinear(&w, m.svm)
	writeLinear(&w, m.nb)
	return w.Bytes(), nil
}

// Unmarshal decodes a matcher written by MarshalBinary. Every length and index is checked: a
// corrupt input is an error, never a panic later.
func Unmarshal(b []byte) (*Matcher, error) {
	r := wire.NewReader(b)
	mt := &Matcher{cfg: DefaultConfig()}
	mt.scale[0], mt.scale[1] = r.F64(), r.F64()
	fc := &mt.cfg.Features
	fc.CharMin, fc.CharMax = int(r.U32()), int(r.U32())
	fc.Bigrams, fc.UnknownMass, fc.FunctionBlock = r.Bool(), r.Bool(), r.Bool()
	for b := range fc.BlockWeight {
		fc.BlockWeight[b] = r.F32()
	}
	nf := r.Count(8)
	v := &vocab{cfg: *fc, index: make(map[uint64]int32, nf)}
	hb := r.Take(8 * nf)
	for j := 0; j < nf; j++ {
		v.index[binary.LittleEndian.Uint64(hb[8*j:])] = int32(j)
	}
	v.idf = r.F32s(nf)
	v.block = r.Bytes(nf)
	v.maxIDF = r.F32()
	if r.Bool() {
		n := r.Count(9)
		fc.lex = make(lexicon, n)
		var backing []uint32 // one allocation for every key's groups
		for i := 0; i < n; i++ {
			k := r.Str()
			m := r.Count(4)
			if len(backing) < m {
				backing = make([]uint32, max(m, 4096))
			}
			gs := backing[:m:m]
			backing = backing[m:]
			for j := range gs {
				gs[j] = r.U32()
			}
			fc.lex[k] = gs
		}
		v.cfg.lex = fc.lex
	}
	mt.nClass = r.Count(4)
	mt.none = r.Bool()
	mt.svm = readLinear(r, mt.scored(), nf)
	mt.nb = readLinear(r, mt.scored(), nf)
	if r.Err != nil {
		return nil, fmt.Errorf("match: %w", r.Err)
	}
	if mt.svm == nil || mt.nb == nil {
		return nil, errors.New("match: bad weight index")
	}
	if r.Len() != 0 {
		return nil, errors.New("match: trailing bytes")
	}
	if !finitePositive(mt.scale[0]) || !finitePositive(mt.scale[1]) {
		return nil, errors.New("match: bad score weights")
	}
	for _, bl := range v.block {
		if bl >= NumBlocks {
			return nil, errors.New("match: bad feature block")
		}
	}
	if fc.CharMin < 1 || fc.CharMax < fc.CharMin || fc.CharMax > 16 {
		return nil, errors.New("match: bad n-gram range")
	}
	mt.voc = v
	return mt, nil
}

func finitePositive(x float64) bool { return x > 0 && !math.IsInf(x, 1) }

func writeLinear(w *wire.Writer, lm *linearModel) {
	for _, x := range lm.bias {
		w.F32(x)
	}
	w.U32(uint32(len(lm.w)))
	for _, x := range lm.start {
		w.U32(uint32(x))
	}
	for _, c := range lm.cls {
		w.U16(c)
	}
	for _, x := range lm.w {
		w.F32(x)
	}
	w.Bool(lm.l1 != nil)
	for _, x := range lm.l1 {
		w.F32(x)
	}
}

// readLinear decodes one linear model over nf features, or returns nil when its indices do
// not add up.
func readLinear(r *wire.Reader, nClass, nf int) *linearModel {
	lm := &linearModel{nClass: nClass, bias: r.F32s(nClass)}
	nw := r.Count(6)
	lm.start = r.I32s(nf + 1)
	lm.cls = r.U16s(nw)
	lm.w = r.F32s(nw)
	if r.Bool() {
		lm.l1 = make([]float32, nClass)
		for c := range lm.l1 {
			lm.l1[c] = r.F32()
		}
	}
	if r.Err != nil {
		return lm
	}
	if lm.start[0] != 0 || int(lm.start[nf]) != nw {
		return nil
	}
	for j := 0; j < nf; j++ {
		if lm.start[j] > lm.start[j+1] {
			return nil
		}
	}
	for _, c := range lm.cls {
		if int(c) >= nClass {
			return nil
		}
	}
	return lm
}
