// Package window decides whether and how a reply may reach a customer under Meta's messaging
// windows, as a pure function of the surface, the customer's last message and the time.
//
//   - WhatsApp: any message within 24 hours of the customer's last message; after that only an
//     approved template (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages).
//   - Messenger and Instagram: any message within 24 hours; from 24 hours to 7 days only a
//     human agent's message with the HUMAN_AGENT tag
//     (https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags).
//   - Comments: one private reply within 7 days of the comment
//     (https://developers.facebook.com/docs/messenger-platform/discovery/private-replies).
package window
