package faq

// Placeholder with the agreed API of the FAQ bot, so the walking skeleton compiles before the
// real matcher lands. Deleted when the faq branch is merged.

import "github.com/frontdesk-app/frontdesk/shared/channel"

type Action string

const (
	Answer   Action = "answer"
	AskBack  Action = "ask_back"
	Escalate Action = "escalate"
)

type Input struct {
	Text, Payload, Media, Locale string
	Misses                       int
	Pending                      []string
}

type Suggestion struct {
	EntryID, Title, Answer string
	Score                  float64
}

type Decision struct {
	Action      Action
	Locale      string
	EntryID     string
	Text        string
	Options     []channel.Option
	Reason      string
	Suggestions []Suggestion
	Misses      int
	Confidence  float64
}

type Bot struct{}

func (*Bot) Decide(in Input) Decision {
	return Decision{Action: Answer, Locale: "en", Text: "Thanks for your message! (placeholder answer until the FAQ bot lands)"}
}
