package consent

import "github.com/frontdesk-app/frontdesk/shared/apperr"

// The checks every Store makes before it uses its input; errors are apperr.Invalid under op.

// ValidateSubject checks a subject id.
func ValidateSubject(op apperr.Op, subject string) error {
	if !ValidSubjectID(subject) {
		return apperr.E(op, apperr.Invalid, "subject id is malformed")
	}
	return nil
}

// ValidateChange checks a record and the history entry written with it (Store.PutConsent).
func ValidateChange(op apperr.Op, rec *Record, change Change) error {
	switch {
	case rec == nil:
		return apperr.E(op, apperr.Invalid, "no consent record")
	case !rec.State.Valid() || !change.State.Valid():
		return apperr.E(op, apperr.Invalid, "consent state must be granted or denied")
	case change.Subject != rec.Subject:
		return apperr.E(op, apperr.Invalid, "change and record name different subjects")
	case rec.Version < 0 || change.Version != rec.Version+1:
		return apperr.E(op, apperr.Invalid, "change version must be the record version + 1")
	case change.At.IsZero() || change.ExpiresAt.IsZero():
		return apperr.E(op, apperr.Invalid, "change time and expiry are required")
	}
	return ValidateSubject(op, rec.Subject)
}

// ValidateDeletion checks a deletion tombstone (Store.PutDeletion).
func ValidateDeletion(op apperr.Op, d *Deletion) error {
	switch {
	case d == nil:
		return apperr.E(op, apperr.Invalid, "no deletion")
	case !ValidDeletionCode(d.Code):
		return apperr.E(op, apperr.Invalid, "confirmation code is malformed")
	case d.Status != DeletionPending && d.Status != DeletionDone:
		return apperr.E(op, apperr.Invalid, "deletion status must be pending or done")
	case d.ExpiresAt.IsZero():
		return apperr.E(op, apperr.Invalid, "deletion expiry is required")
	}
	return nil
}
