package service

import (
	"context"
	"sync"

	"kiemsat/workflow"
)

// ReferenceStore tells whether the reference tables changed.
type ReferenceStore interface {
	// ReferenceVersion changes whenever a row of the legal calendar or the authorities table is
	// added, edited or withdrawn.
	ReferenceVersion(ctx context.Context) (string, error)
}

// referenceCache keeps the calendar and the authorities built from the tables for as long as the
// tables' version stays the same: every step judged and every recompute needs both, and reading
// and building them costs more than asking whether they changed. Inside a transaction that edits
// a table, the version seen is that transaction's, so the edit is counted by at once; should the
// transaction roll back, the version returns to the committed one and the cache rebuilds.
type referenceCache struct {
	mu      sync.Mutex
	version string
	cal     *workflow.Calendar
	auth    *workflow.Authorities
}

// reference returns the calendar and authorities to judge a case with.
func (s *Procedure) reference(ctx context.Context) (*workflow.Calendar, *workflow.Authorities, error) {
	if s.ref == nil {
		cal, err := s.calendar.Calendar(ctx)
		if err != nil {
			return nil, nil, err
		}
		var auth *workflow.Authorities
		if s.authorities != nil {
			if auth, err = s.authorities.Table(ctx); err != nil {
				return nil, nil, err
			}
		}
		return cal, auth, nil
	}
	v, err := s.ref.ReferenceVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := &s.refCache
	c.mu.Lock()
	if c.version == v && c.cal != nil {
		cal, auth := c.cal, c.auth
		c.mu.Unlock()
		return cal, auth, nil
	}
	c.mu.Unlock()
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, nil, err
	}
	var auth *workflow.Authorities
	if s.authorities != nil {
		if auth, err = s.authorities.Table(ctx); err != nil {
			return nil, nil, err
		}
	}
	c.mu.Lock()
	c.version, c.cal, c.auth = v, cal, auth
	c.mu.Unlock()
	return cal, auth, nil
}
