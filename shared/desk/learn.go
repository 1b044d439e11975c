package desk

import "context"

// Learning is the part of a desk that lets agents teach the bot (package learn): the "Add to
// FAQ" offer in an escalation's thread, and the weekly digest of what the bot missed.
type Learning interface {
	// OfferFAQ posts the offer into the thread.
	OfferFAQ(ctx context.Context, t Thread, o FAQOffer) error
	// PostDigest posts the week's digest into the channel.
	PostDigest(ctx context.Context, channel string, d Digest) error
}

// FAQOffer is the thread's "Add to FAQ" offer after an agent answered.
type FAQOffer struct {
	// Question is the customer's question, masked; the desk shows it so the agent sees what
	// would be stored.
	Question string
	// Entries are the knowledge base's entries to attach the question to; Selected is
	// preselected (the entry the agent sent, else the bot's best guess).
	Entries  []Entry
	Selected string
	// Reply is the agent's own reply, masked, offered as the answer of a new entry ("" for an
	// answer sent from the knowledge base).
	Reply string
}

// Entry is a knowledge-base entry as a desk lists it.
type Entry struct {
	ID    string
	Title string
}

// Digest is a week's counts of what the bot missed: never a customer's words.
type Digest struct {
	Week string // ISO week, "2026-W48"
	// Reasons are the most frequent escalation reasons, Entries the entries agents chose most
	// often (answers sent, phrasings added); both most frequent first.
	Reasons []Count
	Entries []Count
	// Made and Accepted count the week's suggestions; Waiting those not yet in the knowledge
	// base.
	Made, Accepted, Waiting int
}

// Count is one line of a digest: a reason or an entry id, and how often.
type Count struct {
	Name string
	N    int
}
