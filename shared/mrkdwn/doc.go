// Package mrkdwn turns what an agent types in Slack into what a customer reads on WhatsApp,
// Messenger, Instagram or in a private reply to a comment, and tells which thread replies stay
// internal.
//
// Slack sends a message's text in its wire format ("mrkdwn"): links as <https://x|label>,
// mentions as <@U123> and <#C123|general>, special mentions as <!here>, dates as
// <!date^…|fallback>, &, < and > as entities, emoji as :shortcodes:, and *bold*, _italic_,
// ~strike~, `code` and ```blocks```. None of that may reach a customer. ToCustomer renders it:
// links as "label (https://x)", mentions as names (resolved by the caller, else dropped),
// special mentions dropped, entities decoded, emoji as Unicode (github.com/kyokomi/emoji/v2's
// table, which carries Slack's and GitHub's shortcodes, plus Slack's :flag-xx: and
// :skin-tone-N:), and formatting kept where WhatsApp renders the same markers and removed
// elsewhere. Split cuts a long reply into messages a surface accepts.
//
// Everything here is pure: no I/O, no clock. Mentions lists the ids to resolve first.
package mrkdwn
