// Package slackapi is frontdesk's side of Slack: the agents' desk where escalated conversations
// are announced, mirrored and answered in threads.
//
// It has three parts:
//
//   - Verify checks Slack's v0 request signature (HMAC-SHA256 over "v0:<timestamp>:<raw body>"
//     with the signing secret, timestamp within five minutes of now), as described in
//     https://docs.slack.dev/authentication/verifying-requests-from-slack/.
//   - ParseEvent, ParseInteraction and ParseCommand are pure parsers of the Events API
//     (https://docs.slack.dev/apis/events-api/), interactivity
//     (https://docs.slack.dev/interactivity/handling-user-interaction/) and slash commands
//     (https://docs.slack.dev/interactivity/implementing-slash-commands/): raw body in, agent
//     events (channel.AgentEvent) and the request's Origin out, fuzzed.
//   - NewHandler serves the three routes: it reads the body (shared/ingress), verifies, parses,
//     refuses another workspace or app, and dispatches agent events (look up the thread, mark
//     seen, enqueue for the bot, forget on failure); it never talks to a customer and
//     acknowledges within Slack's 3 seconds.
//   - Desk implements desk.Desk, the port of the bot and the sweeper: it renders the domain's
//     cards and status lines (package desk) as Block Kit, mrkdwn, emoji and mentions. With
//     Client it posts and updates the escalation messages through the Web API
//     (https://docs.slack.dev/reference/methods/chat.postMessage,
//     https://docs.slack.dev/reference/methods/chat.update) with slack-go, honouring 429
//     Retry-After (https://docs.slack.dev/apis/web-api/rate-limits).
//
// Customer text shown in Slack is masked (Mask: phone numbers and e-mail addresses) and escaped
// (&, <, > as Slack's formatting rules require, so a customer cannot ping @channel).
package slackapi
