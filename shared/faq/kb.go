package faq

import (
	"io/fs"

	"github.com/frontdesk-app/frontdesk/shared/faq/knowledge"
)

// The knowledge base lives in package knowledge; the bot's API names it here.
type (
	// KB is a knowledge base (knowledge.KB).
	KB = knowledge.KB
	// Entry is one FAQ topic (knowledge.Entry).
	Entry = knowledge.Entry
	// CheckError is one problem in a knowledge base (knowledge.CheckError).
	CheckError = knowledge.CheckError
	// CheckErrors lists every problem found (knowledge.CheckErrors).
	CheckErrors = knowledge.CheckErrors
)

// Limits and the small-talk module's ids (see package knowledge).
const (
	MaxAnswerLen   = knowledge.MaxAnswerLen
	MaxTitleLen    = knowledge.MaxTitleLen
	MaxFollowUps   = knowledge.MaxFollowUps
	SmallTalkTag   = knowledge.SmallTalkTag
	GreetingID     = knowledge.GreetingID
	TalkToPersonID = knowledge.TalkToPersonID
)

// LoadKB reads a knowledge base from a YAML file or a folder of them (knowledge.Load).
func LoadKB(p string) (*KB, error) { return knowledge.Load(p) }

// LoadKBFS reads a knowledge base from fsys (knowledge.LoadFS).
func LoadKBFS(fsys fs.FS, name, display string) (*KB, error) {
	return knowledge.LoadFS(fsys, name, display)
}

// ParseKB parses one YAML document (knowledge.Parse).
func ParseKB(b []byte, file string) (*KB, error) { return knowledge.Parse(b, file) }
