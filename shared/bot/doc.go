// Package bot is the queue consumer: for every event the ingress functions queued, it applies
// the event to the conversation record and acts — answers from the FAQ, asks back, escalates to
// Slack, mirrors into the agents' thread, delivers an agent's reply under the window policy.
//
// Delivery is at least once (Meta and Slack retry, SQS redelivers), and every effect is made
// exactly once: a conversation remembers the ids of the events it applied, and every outbound
// call is reserved under an idempotency key derived from the event before it is made
// (dedup.Store.ClaimSend), so a redelivered event never produces a second message.
//
// Order: sends happen before the conversation is saved. A crash in between redelivers the event;
// the decision is recomputed from the unchanged record, the sends are found already made and
// skipped, and the record is saved.
package bot
