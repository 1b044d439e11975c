package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/learn"
)

var _ learn.Store = (*Store)(nil)

// learnItems are the learn.Store items: suggestions by id, counts by week.
type learnItems struct {
	suggestions map[string]learn.Suggestion
	counts      map[string]weekCounts
	candidates  map[candidateKey]learn.Candidate
}

type weekCounts struct {
	n         map[string]int
	expiresAt time.Time
}

// PutSuggestion writes s unless a live suggestion with its id exists.
func (s *Store) PutSuggestion(_ context.Context, sg *learn.Suggestion) (bool, error) {
	const op apperr.Op = "memstore.PutSuggestion"
	if err := learn.Validate(op, sg); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.learn.suggestions[sg.ID]; ok && live(old.ExpiresAt, s.now()) {
		return false, nil
	}
	if s.learn.suggestions == nil {
		s.learn.suggestions = map[string]learn.Suggestion{}
	}
	c := *sg
	c.At, c.ExpiresAt = utc(c.At), utc(toSecond(c.ExpiresAt))
	s.learn.suggestions[sg.ID] = c
	return true, nil
}

// Suggestions lists the live suggestions, oldest first, then by id.
func (s *Store) Suggestions(context.Context) ([]learn.Suggestion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := []learn.Suggestion{}
	for _, sg := range s.learn.suggestions {
		if live(sg.ExpiresAt, now) {
			out = append(out, sg)
		}
	}
	slices.SortFunc(out, func(a, b learn.Suggestion) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteSuggestion removes a suggestion.
func (s *Store) DeleteSuggestion(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.learn.suggestions, id)
	return nil
}

// EraseSubjectSuggestions deletes the subject's suggestions.
func (s *Store) EraseSubjectSuggestions(_ context.Context, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.DeleteFunc(s.learn.suggestions, func(_ string, sg learn.Suggestion) bool { return sg.Subject == subject })
	maps.DeleteFunc(s.learn.candidates, func(k candidateKey, _ learn.Candidate) bool { return k.subject == subject })
	return nil
}

// AddCount adds n to the week's counter and sets the week's expiry.
func (s *Store) AddCount(_ context.Context, week, counter string, n int, expiresAt time.Time) error {
	const op apperr.Op = "memstore.AddCount"
	if err := learn.ValidateCount(op, week, counter, n, expiresAt); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.learn.counts == nil {
		s.learn.counts = map[string]weekCounts{}
	}
	wc, ok := s.learn.counts[week]
	if !ok || !live(wc.expiresAt, s.now()) {
		wc = weekCounts{n: map[string]int{}}
	}
	wc.n[counter] += n
	wc.expiresAt = toSecond(expiresAt)
	s.learn.counts[week] = wc
	return nil
}

// Counts returns the week's live counts.
func (s *Store) Counts(_ context.Context, week string) (map[string]int, error) {
	const op apperr.Op = "memstore.Counts"
	if !learn.ValidWeek(week) {
		return nil, apperr.E(op, apperr.Invalid, "week must look like 2026-W48")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wc, ok := s.learn.counts[week]
	if !ok || !live(wc.expiresAt, s.now()) {
		return map[string]int{}, nil
	}
	return maps.Clone(wc.n), nil
}

type candidateKey struct{ subject, channel, thread string }

// PutCandidate writes the thread's candidate.
func (s *Store) PutCandidate(_ context.Context, c *learn.Candidate) error {
	const op apperr.Op = "memstore.PutCandidate"
	if err := learn.ValidateCandidate(op, c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.learn.candidates == nil {
		s.learn.candidates = map[candidateKey]learn.Candidate{}
	}
	cc := *c
	cc.ExpiresAt = utc(toSecond(cc.ExpiresAt))
	s.learn.candidates[candidateKey{c.Subject, c.Channel, c.ThreadTS}] = cc
	return nil
}

// GetCandidate returns the live candidate of the thread, or NotFound.
func (s *Store) GetCandidate(_ context.Context, subject, channel, threadTS string) (*learn.Candidate, error) {
	const op apperr.Op = "memstore.GetCandidate"
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.learn.candidates[candidateKey{subject, channel, threadTS}]
	if !ok || !live(c.ExpiresAt, s.now()) {
		return nil, apperr.E(op, apperr.NotFound, "no candidate for this thread")
	}
	return &c, nil
}
