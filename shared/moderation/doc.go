// Package moderation tells comments under a business's posts that are no question for the bot:
// insults and spam. The bot gives them no private reply (an insulting comment that ends
// "delete this account!" must not get the account-deletion answer); German and English.
package moderation
