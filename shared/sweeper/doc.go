// Package sweeper is the scheduled housekeeping of escalations: it re-announces escalations
// nobody claimed, warns agents before a customer's 24-hour window closes, and closes claimed
// conversations that went idle.
//
// It only reads and writes conversation metadata (with optimistic locking, so a concurrent
// change by the bot wins and the sweeper skips that conversation until its next run) and posts
// status lines through the Slack desk. Closed conversations need no sweeping: they expire through
// DynamoDB's TTL.
//
// The 24-hour customer service window:
// https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages
// and, for Messenger and Instagram, the HUMAN_AGENT tag's 7 days (messaging policy / message tags
// under https://developers.facebook.com/documentation/business-messaging/messenger-platform/).
package sweeper
