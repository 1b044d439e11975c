// Package consenttest wraps the embedded store (package memstore) with failure injection for the
// tests of packages that depend on package consent: Fail decides, per consent operation, whether
// it fails instead of running. Everything else is memstore's, whose behaviour the conformance
// suite keeps identical to DynamoDB's.
package consenttest

import (
	"context"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
)

// Store is the embedded store with failure injection on its consent operations.
type Store struct {
	*memstore.Store

	// Fail, when set, is called before every consent operation with its name (GetConsent,
	// PutConsent, ...); a non-nil result is returned instead of running it.
	Fail func(op string) error
}

var (
	_ consent.Store      = (*Store)(nil)
	_ conversation.Store = (*Store)(nil)
)

// NewStore returns an empty store on the clock.
func NewStore(now func() time.Time) *Store {
	m := memstore.New()
	m.Now = now
	return &Store{Store: m}
}

func (s *Store) fail(op string) error {
	if s.Fail != nil {
		return s.Fail(op)
	}
	return nil
}

// GetConsent implements consent.Store.
func (s *Store) GetConsent(ctx context.Context, subject string) (*consent.Record, error) {
	if err := s.fail("GetConsent"); err != nil {
		return nil, err
	}
	return s.Store.GetConsent(ctx, subject)
}

// PutConsent implements consent.Store.
func (s *Store) PutConsent(ctx context.Context, rec *consent.Record, change consent.Change) error {
	if err := s.fail("PutConsent"); err != nil {
		return err
	}
	return s.Store.PutConsent(ctx, rec, change)
}

// ConsentHistory implements consent.Store.
func (s *Store) ConsentHistory(ctx context.Context, subject string) ([]consent.Change, error) {
	if err := s.fail("ConsentHistory"); err != nil {
		return nil, err
	}
	return s.Store.ConsentHistory(ctx, subject)
}

// LinkConversation implements consent.Store.
func (s *Store) LinkConversation(ctx context.Context, subject string, key channel.Key, expiresAt time.Time) error {
	if err := s.fail("LinkConversation"); err != nil {
		return err
	}
	return s.Store.LinkConversation(ctx, subject, key, expiresAt)
}

// SubjectConversations implements consent.Store.
func (s *Store) SubjectConversations(ctx context.Context, subject string) ([]channel.Key, error) {
	if err := s.fail("SubjectConversations"); err != nil {
		return nil, err
	}
	return s.Store.SubjectConversations(ctx, subject)
}

// EraseSubject implements consent.Store.
func (s *Store) EraseSubject(ctx context.Context, subject string) error {
	if err := s.fail("EraseSubject"); err != nil {
		return err
	}
	return s.Store.EraseSubject(ctx, subject)
}

// PutDeletion implements consent.Store.
func (s *Store) PutDeletion(ctx context.Context, d *consent.Deletion) error {
	if err := s.fail("PutDeletion"); err != nil {
		return err
	}
	return s.Store.PutDeletion(ctx, d)
}

// GetDeletion implements consent.Store.
func (s *Store) GetDeletion(ctx context.Context, code string) (*consent.Deletion, error) {
	if err := s.fail("GetDeletion"); err != nil {
		return nil, err
	}
	return s.Store.GetDeletion(ctx, code)
}
