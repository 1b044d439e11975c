// Package phone reads a phone number a customer typed in a chat ("+49 170 1234567",
// "0049 170 1234567", "0170/1234567") and normalises it to E.164: a country code and a
// subscriber number, at most 15 digits (ITU-T E.164, https://www.itu.int/rec/T-REC-E.164). The
// digits without the "+" are what WhatsApp calls the wa_id, the recipient of a business-initiated
// message (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages).
//
// It checks the form only: whether the number exists, or has WhatsApp, only sending tells. A
// phone number is personal data: Number never prints or logs its digits.
package phone
