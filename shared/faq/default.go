package faq

import (
	"embed"
	"io/fs"
)

// The sample knowledge base of "Kiez & Kram", a fictional online shop, in German and English.
//
//go:embed kb/shop/*.yaml
var sampleKB embed.FS

// SampleKB returns the embedded sample knowledge base.
func SampleKB() (*KB, error) {
	sub, err := fs.Sub(sampleKB, "kb")
	if err != nil {
		return nil, err
	}
	return LoadKBFS(sub, "shop", "kb/shop")
}
