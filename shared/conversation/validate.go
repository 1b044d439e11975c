package conversation

import (
	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// ValidateKey checks a conversation key as every Store does before using it; errors are
// apperr.Invalid under op.
func ValidateKey(op apperr.Op, k channel.Key) error {
	if !k.Surface.Valid() || k.Account == "" || k.User == "" {
		return apperr.E(op, apperr.Invalid, "conversation key needs a known surface, an account and a user")
	}
	return nil
}

// Validate checks a conversation as every Store does before writing it; errors are
// apperr.Invalid under op.
func Validate(op apperr.Op, c *Conversation) error {
	switch {
	case c == nil:
		return apperr.E(op, apperr.Invalid, "no conversation")
	case c.Status == "":
		return apperr.E(op, apperr.Invalid, "conversation status is required")
	case c.ExpiresAt.IsZero():
		return apperr.E(op, apperr.Invalid, "conversation expiry is required")
	case c.Version < 0:
		return apperr.E(op, apperr.Invalid, "conversation version is negative")
	}
	return ValidateKey(op, c.Key)
}
