// Package desk is the agents' desk as the bot and the sweeper speak to it: the port they call
// (Desk) and the domain values they pass — the card of an escalated conversation (Card, with its
// Suggestions), the thread it opens (Thread), and the status lines posted into that thread (Note).
//
// Nothing here knows Slack. A Note is a fact ("claimed by agent U1", "not sent: the window
// closed"), not a string of markup: package slackapi implements Desk and renders every value into
// Block Kit, mrkdwn, emoji and mentions; a test implements Desk with a few lines that record the
// values. The words of a note are kept here once (Note.Format), so every desk says the same thing
// for the same event; a desk supplies how an agent and free text are written in its medium.
//
// Adding a status line: add a NoteKind, its sentence in Note.Format, and (in slackapi) its emoji.
package desk
