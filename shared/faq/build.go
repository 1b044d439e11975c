package faq

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
)

// Model is a trained matcher with its thresholds, built from one knowledge base. Build makes
// one; MarshalBinary/UnmarshalModel store it so a Lambda can load it instead of training at
// cold start.
type Model struct {
	// KBHash identifies the knowledge base (ids and phrasings) the model was built from.
	KBHash string
	// Classes are the entry ids, in the matcher's class order.
	Classes []string
	Policy  Policy
	matcher *Matcher
}

// cvFolds is the number of cross-validation folds used to choose thresholds.
const cvFolds = 5

// Build trains a model on the knowledge base's phrasings (and entry titles) and chooses its
// thresholds by cross-validation over them (crossValidatePolicy).
func Build(kb *KB) (*Model, error) {
	return BuildContext(context.Background(), kb)
}

// BuildContext is Build reporting to the context's Progress (WithProgress).
func BuildContext(ctx context.Context, kb *KB) (*Model, error) {
	if len(kb.Entries) == 0 {
		return nil, errors.New("faq: empty knowledge base")
	}
	progress := progressFrom(ctx)
	classes, ps := phrasingsOf(kb, defaultMatcher)
	cfg := sizedConfig(defaultMatcher, ps)
	ps = withBackground(cfg, ps)
	progress("train", 0, 1)
	m := trainMatcher(cfg, ps, len(classes))
	progress("train", 1, 1)
	pol, scale := crossValidatePolicy(cfg, ps, len(classes), cvFolds, progress)
	m.scale = scale
	return &Model{KBHash: kb.Hash(), Classes: classes, Policy: pol, matcher: m}, nil
}

// phrasingsOf lists the training texts of kb: each entry's phrasings and titles per language,
// its answers (cfg.Answers; not small talk's), and its out-of-scope messages.
func phrasingsOf(kb *KB, cfg matcherConfig) ([]string, []Phrasing) {
	var classes []string
	var ps []Phrasing
	for c, e := range kb.Entries {
		classes = append(classes, e.ID)
		for _, l := range Languages {
			for _, p := range e.Phrasings[l] {
				ps = append(ps, Phrasing{Text: p, Lang: l, Class: c})
			}
			if t := e.Title[l]; t != "" {
				ps = append(ps, Phrasing{Text: t, Lang: l, Class: c})
			}
			if a := e.Answer[l]; a != "" && cfg.Answers && !e.IsSmallTalk() {
				ps = append(ps, Phrasing{Text: a, Lang: l, Class: c, Answer: true})
			}
		}
	}
	for _, l := range Languages {
		for _, p := range kb.OutOfScope[l] {
			ps = append(ps, Phrasing{Text: p, Lang: l, Class: -1})
		}
	}
	return classes, ps
}

const modelMagic = "FDQM\x05"

// MarshalBinary encodes the model (little-endian, versioned).
func (m *Model) MarshalBinary() ([]byte, error) {
	var w binWriter
	w.buf.WriteString(modelMagic)
	w.str(m.KBHash)
	w.u32(uint32(len(m.Classes)))
	for _, c := range m.Classes {
		w.str(c)
	}
	w.f64(m.Policy.Threshold)
	w.f64(m.Policy.CloseRatio)
	w.f64(m.Policy.TieRatio)
	w.f64(m.Policy.AskFloor)
	mt := m.matcher
	w.f64(mt.scale[0])
	w.f64(mt.scale[1])
	fc := mt.cfg.Features
	w.u32(uint32(fc.CharMin))
	w.u32(uint32(fc.CharMax))
	w.bool(fc.Bigrams)
	w.bool(fc.UnknownMass)
	w.bool(fc.FunctionBlock)
	for _, bw := range fc.BlockWeight {
		w.f32(bw)
	}
	v := mt.voc
	hashes := make([]uint64, len(v.idf))
	for h, j := range v.index {
		hashes[j] = h
	}
	w.u32(uint32(len(hashes)))
	for _, h := range hashes {
		w.u64(h)
	}
	for _, x := range v.idf {
		w.f32(x)
	}
	w.buf.Write(v.block)
	w.f32(v.maxIDF)
	w.bool(fc.lex != nil)
	if fc.lex != nil {
		lex := fc.lex.restrict(v)
		w.u32(uint32(len(lex)))
		keys := slices.Sorted(maps.Keys(lex))
		for _, k := range keys {
			w.str(k)
			w.u32(uint32(len(lex[k])))
			for _, g := range lex[k] {
				w.u32(g)
			}
		}
	}
	w.u32(uint32(mt.nClass))
	w.bool(mt.none)
	writeLinear(&w, mt.svm)
	writeLinear(&w, mt.nb)
	return w.buf.Bytes(), nil
}

// ErrModelVersion says a model file is not one this version of the package writes: an older
// one, or no model at all. Rebuild it with "frontdesk faq build".
var ErrModelVersion = errors.New("faq: not a model file of this version (rebuild it with frontdesk faq build)")

// UnmarshalModel decodes a model written by MarshalBinary.
func UnmarshalModel(b []byte) (*Model, error) {
	if !bytes.HasPrefix(b, []byte(modelMagic)) {
		return nil, ErrModelVersion
	}
	r := binReader{b: b[len(modelMagic):]}
	m := &Model{KBHash: r.str()}
	n := r.count(4)
	for i := 0; i < n; i++ {
		m.Classes = append(m.Classes, r.str())
	}
	m.Policy.Threshold = r.f64()
	m.Policy.CloseRatio = r.f64()
	m.Policy.TieRatio = r.f64()
	m.Policy.AskFloor = r.f64()
	mt := &Matcher{cfg: defaultMatcher}
	mt.scale[0], mt.scale[1] = r.f64(), r.f64()
	fc := &mt.cfg.Features
	fc.CharMin, fc.CharMax = int(r.u32()), int(r.u32())
	fc.Bigrams, fc.UnknownMass, fc.FunctionBlock = r.bool(), r.bool(), r.bool()
	for b := range fc.BlockWeight {
		fc.BlockWeight[b] = r.f32()
	}
	nf := r.count(8)
	v := &vocab{cfg: *fc, index: make(map[uint64]int32, nf)}
	hb := r.take(8 * nf)
	for j := 0; j < nf; j++ {
		v.index[binary.LittleEndian.Uint64(hb[8*j:])] = int32(j)
	}
	v.idf = r.f32s(nf)
	v.block = r.bytes(nf)
	v.maxIDF = r.f32()
	if r.bool() {
		n := r.count(9)
		fc.lex = make(lexicon, n)
		var backing []uint32 // one allocation for every key's groups
		for i := 0; i < n; i++ {
			k := r.str()
			m := r.count(4)
			if len(backing) < m {
				backing = make([]uint32, max(m, 4096))
			}
			gs := backing[:m:m]
			backing = backing[m:]
			for j := range gs {
				gs[j] = r.u32()
			}
			fc.lex[k] = gs
		}
		v.cfg.lex = fc.lex
	}
	mt.nClass = r.count(4)
	if mt.nClass != len(m.Classes) {
		return nil, errors.New("faq: corrupt model: class count differs")
	}
	mt.none = r.bool()
	mt.svm = readLinear(&r, mt.scored(), nf)
	mt.nb = readLinear(&r, mt.scored(), nf)
	if r.err != nil {
		return nil, fmt.Errorf("faq: corrupt model: %w", r.err)
	}
	if mt.svm == nil || mt.nb == nil {
		return nil, errors.New("faq: corrupt model: bad weight index")
	}
	if len(r.b) != 0 {
		return nil, errors.New("faq: corrupt model: trailing bytes")
	}
	if !finitePositive(mt.scale[0]) || !finitePositive(mt.scale[1]) {
		return nil, errors.New("faq: corrupt model: bad score weights")
	}
	for _, bl := range v.block {
		if bl >= numBlocks {
			return nil, errors.New("faq: corrupt model: bad feature block")
		}
	}
	if fc.CharMin < 1 || fc.CharMax < fc.CharMin || fc.CharMax > 16 {
		return nil, errors.New("faq: corrupt model: bad n-gram range")
	}
	mt.voc = v
	m.matcher = mt
	return m, nil
}

func finitePositive(x float64) bool { return x > 0 && !math.IsInf(x, 1) }

func writeLinear(w *binWriter, lm *linearModel) {
	for _, x := range lm.bias {
		w.f32(x)
	}
	w.u32(uint32(len(lm.w)))
	for _, x := range lm.start {
		w.u32(uint32(x))
	}
	for _, c := range lm.cls {
		w.u16(c)
	}
	for _, x := range lm.w {
		w.f32(x)
	}
	w.bool(lm.l1 != nil)
	for _, x := range lm.l1 {
		w.f32(x)
	}
}

// readLinear decodes one linear model over nf features, or returns nil when its indices do
// not add up.
func readLinear(r *binReader, nClass, nf int) *linearModel {
	lm := &linearModel{nClass: nClass, bias: r.f32s(nClass)}
	nw := r.count(6)
	lm.start = r.i32s(nf + 1)
	lm.cls = r.u16s(nw)
	lm.w = r.f32s(nw)
	if r.bool() {
		lm.l1 = make([]float32, nClass)
		for c := range lm.l1 {
			lm.l1[c] = r.f32()
		}
	}
	if r.err != nil {
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

type binWriter struct{ buf bytes.Buffer }

func (w *binWriter) u16(x uint16)  { w.buf.Write(binary.LittleEndian.AppendUint16(nil, x)) }
func (w *binWriter) u32(x uint32)  { w.buf.Write(binary.LittleEndian.AppendUint32(nil, x)) }
func (w *binWriter) u64(x uint64)  { w.buf.Write(binary.LittleEndian.AppendUint64(nil, x)) }
func (w *binWriter) f32(x float32) { w.u32(math.Float32bits(x)) }
func (w *binWriter) f64(x float64) { w.u64(math.Float64bits(x)) }
func (w *binWriter) str(s string) {
	w.u32(uint32(len(s)))
	w.buf.WriteString(s)
}
func (w *binWriter) bool(b bool) {
	if b {
		w.buf.WriteByte(1)
	} else {
		w.buf.WriteByte(0)
	}
}

type binReader struct {
	b   []byte
	err error
}

func (r *binReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = io.ErrUnexpectedEOF
		return make([]byte, max(n, 0))
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}
func (r *binReader) u32() uint32  { return binary.LittleEndian.Uint32(r.take(4)) }
func (r *binReader) u64() uint64  { return binary.LittleEndian.Uint64(r.take(8)) }
func (r *binReader) f32() float32 { return math.Float32frombits(r.u32()) }
func (r *binReader) f64() float64 { return math.Float64frombits(r.u64()) }
func (r *binReader) bool() bool   { return r.take(1)[0] != 0 }
func (r *binReader) str() string  { return string(r.take(r.count(1))) }

// f32s, i32s and u16s read n values at once: a model has a million of them.
func (r *binReader) f32s(n int) []float32 {
	b := r.take(4 * n)
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (r *binReader) i32s(n int) []int32 {
	b := r.take(4 * n)
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (r *binReader) u16s(n int) []uint16 {
	b := r.take(2 * n)
	out := make([]uint16, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return out
}

func (r *binReader) bytes(n int) []byte {
	return bytes.Clone(r.take(n))
}

// count reads a length and checks that at least n·unit bytes remain, so a corrupt length
// cannot make the reader allocate more than the input.
func (r *binReader) count(unit int) int {
	n := int(r.u32())
	if r.err == nil && n*unit > len(r.b) {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	return n
}
