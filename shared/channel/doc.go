// Package channel defines the normalised, platform-independent events and replies that every
// frontdesk function speaks: an Inbound from a customer on a Meta surface, an AgentEvent from
// Slack, and the Reply the bot or an agent sends back.
//
// Parsers of platform payloads (package meta, package slackapi) produce these types; the bot
// consumes them from the queue as an Event. Nothing here does I/O.
//
// Message text travels in these types (it must, to be answered) but never reaches a log: every
// type that carries text or a user id implements slog.LogValuer and logs only safe fields.
package channel
