package faq

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"mvdan.cc/xurls/v2"

	"github.com/frontdesk-app/frontdesk/shared/faq/decide"
	"github.com/frontdesk-app/frontdesk/shared/faq/internal/wire"
	"github.com/frontdesk-app/frontdesk/shared/faq/match"
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
	matcher *match.Matcher
}

// cvFolds is the number of cross-validation folds used to choose thresholds.
const cvFolds = 5

// settings shape what Build makes of a knowledge base: the matcher's settings, what of the KB
// it trains on and how cross-validation chooses the policy. Build, New and the evaluations use
// defaultSettings(); the benchmarks pass variants of it (withSettings, build, evaluate).
type settings struct {
	Matcher match.Config
	// Answers trains each entry on its answers too: a shop's answer names what the customer
	// asks about ("Klarna", "Lastenräder", "EC-Karte") more often than its three phrasings.
	Answers bool
	// Seed is the seed of the cross-validation folds.
	Seed uint64
	// Prior is what cross-validation shrinks a small KB's threshold towards (decide.Tune).
	Prior decide.Prior
}

func defaultSettings() settings {
	return settings{Matcher: match.DefaultConfig(), Answers: true, Seed: 1, Prior: decide.DefaultPrior}
}

// Build trains a model on the knowledge base's phrasings (and entry titles) and chooses its
// thresholds by cross-validation over them (crossValidatePolicy).
func Build(kb *KB) (*Model, error) {
	return BuildContext(context.Background(), kb)
}

// BuildContext is Build reporting to the context's Progress (WithProgress).
func BuildContext(ctx context.Context, kb *KB) (*Model, error) {
	return build(ctx, kb, defaultSettings())
}

func build(ctx context.Context, kb *KB, s settings) (*Model, error) {
	if len(kb.Entries) == 0 {
		return nil, errors.New("faq: empty knowledge base")
	}
	progress := progressFrom(ctx)
	classes, ps := phrasingsOf(kb, s.Answers)
	s.Matcher = s.Matcher.Sized(ps)
	ps = s.Matcher.WithBackground(ps)
	progress("train", 0, 1)
	m := match.Train(s.Matcher, ps, len(classes))
	progress("train", 1, 1)
	pol, scale := crossValidatePolicy(s, ps, len(classes), cvFolds, progress)
	m.SetScales(scale)
	return &Model{KBHash: kb.Hash(), Classes: classes, Policy: pol, matcher: m}, nil
}

// phrasingsOf lists the training texts of kb: each entry's phrasings and titles per language,
// its answers (with answers; not small talk's), and its out-of-scope messages.
func phrasingsOf(kb *KB, answers bool) ([]string, []match.Phrasing) {
	var classes []string
	var ps []match.Phrasing
	for c, e := range kb.Entries {
		classes = append(classes, e.ID)
		for _, l := range Languages {
			for _, p := range e.Phrasings[l] {
				ps = append(ps, match.Phrasing{Text: p, Lang: l, Class: c})
			}
			if t := e.Title[l]; t != "" {
				ps = append(ps, match.Phrasing{Text: t, Lang: l, Class: c})
			}
			if a := e.Answer[l]; a != "" && answers && !e.IsSmallTalk() {
				ps = append(ps, match.Phrasing{Text: answerWords(a), Lang: l, Class: c, Answer: true})
			}
		}
	}
	for _, l := range Languages {
		for _, p := range kb.OutOfScope[l] {
			ps = append(ps, match.Phrasing{Text: p, Lang: l, Class: -1})
		}
	}
	return classes, ps
}

// answerWords is an answer as training text: without its links and e-mail addresses, whose
// parts ("schnittpunkt.example/termin") are no words a customer asks with.
func answerWords(a string) string {
	return xurls.Relaxed().ReplaceAllString(a, " ")
}

const modelMagic = "FDQM\x05"

// MarshalBinary encodes the model (little-endian, versioned): a header (the KB's hash, the
// classes, the policy), then the matcher (match.Matcher.MarshalBinary).
func (m *Model) MarshalBinary() ([]byte, error) {
	mb, err := m.matcher.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var w wire.Writer
	w.Raw([]byte(modelMagic))
	w.Str(m.KBHash)
	w.U32(uint32(len(m.Classes)))
	for _, c := range m.Classes {
		w.Str(c)
	}
	w.F64(m.Policy.Threshold)
	w.F64(m.Policy.CloseRatio)
	w.F64(m.Policy.TieRatio)
	w.F64(m.Policy.AskFloor)
	w.Raw(mb)
	return w.Bytes(), nil
}

// ErrModelVersion says a model file is not one this version of the package writes: an older
// one, or no model at all. Rebuild it with "frontdesk faq build".
var ErrModelVersion = errors.New("faq: not a model file of this version (rebuild it with frontdesk faq build)")

// UnmarshalModel decodes a model written by MarshalBinary.
func UnmarshalModel(b []byte) (*Model, error) {
	if !bytes.HasPrefix(b, []byte(modelMagic)) {
		return nil, ErrModelVersion
	}
	r := wire.NewReader(b[len(modelMagic):])
	m := &Model{KBHash: r.Str()}
	n := r.Count(4)
	for i := 0; i < n; i++ {
		m.Classes = append(m.Classes, r.Str())
	}
	m.Policy.Threshold = r.F64()
	m.Policy.CloseRatio = r.F64()
	m.Policy.TieRatio = r.F64()
	m.Policy.AskFloor = r.F64()
	if r.Err != nil {
		return nil, fmt.Errorf("faq: corrupt model: %w", r.Err)
	}
	mt, err := match.Unmarshal(r.Rest())
	if err != nil {
		return nil, fmt.Errorf("faq: corrupt model: %w", err)
	}
	if mt.Classes() != len(m.Classes) {
		return nil, errors.New("faq: corrupt model: class count differs")
	}
	m.matcher = mt
	return m, nil
}
