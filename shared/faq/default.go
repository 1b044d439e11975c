package faq

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The sample knowledge base of "Kiez & Kram", a fictional online shop, in German and English,
// and its model, precomputed because training and cross-validation take longer than a cold
// start may (see docs/faq.md). TestSampleModelFresh fails when the model is stale.
//
//go:generate go run ../../cmd/frontdesk faq build kb/shop -o kb/shop.model
//go:embed kb/shop/*.yaml kb/shop.model
var sample embed.FS

// SampleKB returns the embedded sample knowledge base.
func SampleKB() (*KB, error) {
	sub, err := fs.Sub(sample, "kb")
	if err != nil {
		return nil, err
	}
	return LoadKBFS(sub, "shop", "kb/shop")
}

// Default returns the bot of the sample knowledge base with its precomputed model.
func Default(opts ...Option) (*Bot, error) {
	kb, err := SampleKB()
	if err != nil {
		return nil, err
	}
	b, err := sample.ReadFile("kb/shop.model")
	if err != nil {
		return nil, err
	}
	m, err := UnmarshalModel(b)
	if err != nil {
		return nil, err
	}
	return New(kb, append([]Option{WithModel(m)}, opts...)...)
}

// Load returns the bot for the knowledge base at path (a YAML file or a folder; FAQ_KB), or the
// sample bot when path is empty. A model built by "frontdesk faq build" at path+".model" is
// used when it matches the knowledge base and this version; otherwise the bot trains at start.
func Load(path string, opts ...Option) (*Bot, error) {
	if path == "" {
		return Default(opts...)
	}
	kb, err := LoadKB(path)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(ModelPath(path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return New(kb, opts...)
	case err != nil:
		return nil, fmt.Errorf("faq: read model: %w", err)
	}
	m, err := UnmarshalModel(b)
	switch {
	case errors.Is(err, ErrModelVersion):
		return New(kb, opts...) // built by another version: train as if there were none
	case err != nil:
		return nil, err
	}
	if m.KBHash != kb.Hash() {
		return New(kb, opts...)
	}
	return New(kb, append([]Option{WithModel(m)}, opts...)...)
}

// ModelPath is where Load looks for the precomputed model of the knowledge base at path.
func ModelPath(path string) string { return path + ".model" }
