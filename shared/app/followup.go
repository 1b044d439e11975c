package app

import (
	"github.com/frontdesk-app/frontdesk/shared/bot"
	"github.com/frontdesk-app/frontdesk/shared/consent"
)

// followUp configures the cross-channel WhatsApp follow-up (docs/followup.md), or returns nil
// when WHATSAPP_PHONE_NUMBER_ID is not set. It also needs WHATSAPP_TEMPLATE: without a template
// nothing may be sent to a customer who has not written on WhatsApp, and the bot does not offer.
func followUp(d Deps, ledger *consent.Ledger) *bot.FollowUp {
	if d.Config.WhatsAppPhoneID == "" {
		return nil
	}
	return &bot.FollowUp{Ledger: ledger, PhoneNumberID: d.Config.WhatsAppPhoneID, DefaultCountryCode: d.Config.CountryCode}
}
