package bot

import (
	"context"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
)

// AgentFiles fetches the files agents share in Slack (package slackapi's client), into memory.
type AgentFiles interface {
	DownloadFile(ctx context.Context, ref channel.FileRef) (channel.File, error)
}

// CustomerMedia fetches the media customers send (package graph's client), into memory.
type CustomerMedia interface {
	FetchMedia(ctx context.Context, key channel.Key, ref channel.FileRef) (channel.File, error)
}

// Directory names the Slack users and channels an agent's reply mentions (package slackapi's client).
// Without one, or when a lookup fails, a mention is left out of what the customer reads.
type Directory interface {
	UserName(ctx context.Context, id string) (string, error)
	ChannelName(ctx context.Context, id string) (string, error)
}

// Consent is the ad-data consent ledger (*consent.Ledger).
type Consent interface {
	// HandleChat records a consent command in text and returns the confirmation to send.
	HandleChat(ctx context.Context, c *conversation.Conversation, text string, at time.Time) (handled bool, reply string, err error)
	// HandlePreference applies a platform preference change (marketing stop/resume).
	HandlePreference(ctx context.Context, key channel.Key, p *channel.Preference, at time.Time) (changed bool, err error)
	// Track links the conversation to its subject until it expires, for erasure.
	Track(ctx context.Context, c *conversation.Conversation) error
	// AllowedKey reports whether the customer's data may go to Meta's ad systems.
	AllowedKey(ctx context.Context, key channel.Key) (bool, *consent.Record, error)
}

// Signals sends Conversions API events through the consent gate (*adsignals.Signaler).
type Signals interface {
	Signal(ctx context.Context, moment adsignals.Moment, c *conversation.Conversation, eventID string, at time.Time) (adsignals.Outcome, error)
}

// Answers looks up a knowledge-base answer for an agent's "send this answer".
type Answers interface {
	Answer(entryID, locale string) (title, text string, ok bool)
}

// Threads keeps the erasure index of the desk threads the bot posts in (*consent.SlackRecorder).
type Threads interface {
	Record(ctx context.Context, key channel.Key, linked *channel.Key, ch, threadTS string, ts ...string) error
}

// FAQOffers posts the thread's "Add to FAQ" offer (the desk's desk.Learning).
type FAQOffers interface {
	OfferFAQ(ctx context.Context, t desk.Thread, o desk.FAQOffer) error
}

// Catalog lists the knowledge base's entries for the offer.
type Catalog interface {
	Entries(locale string) []desk.Entry
}

// Eraser erases a customer who asks for it in the chat (*consent.Ledger).
type Eraser interface {
	EraseKey(ctx context.Context, key channel.Key) error
}
