package service

import (
	"context"
	"strings"

	"kiemsat/domain"
)

// Duplicates warns, before a registration is saved, of records already registered that it may
// repeat: a record with a party of the same CCCD (national_id), or a record of the registering
// unit's subtree, received within domain.DuplicateWindow before the date received, whose summary
// reads almost the same (similar_summary, trigram similarity ≥ domain.DuplicateSimilarity;
// summaries shorter than domain.DuplicateMinSummary runes are not compared). At most
// domain.DuplicateLimit hints, national_id ones first, then the most similar.
//
// The input is checked exactly as Register checks it (same errors), but nothing is written and
// nothing is audited. Only records the caller may read (its case.read scope, secret cases
// included, as the case list applies it) are ever looked at, so a hint never reveals a record,
// nor even that one exists, outside that scope.
func (s *Cases) Duplicates(ctx context.Context, p *Principal, in domain.CaseInput) ([]domain.DuplicateHint, error) {
	now := s.clock.Now()
	unit, allowed, err := s.admitRegistration(ctx, p, in, now)
	if err != nil {
		return nil, err
	}
	if !allowed {
		return nil, errNoRegisterRight()
	}
	var ids []string
	seen := map[string]bool{}
	for _, pt := range in.Parties {
		if domain.ValidNationalID(pt.NationalID) && !seen[pt.NationalID] {
			seen[pt.NationalID] = true
			ids = append(ids, pt.NationalID)
		}
	}
	summary := strings.TrimSpace(in.Summary)
	if len([]rune(summary)) < domain.DuplicateMinSummary {
		summary = ""
	}
	if len(ids) == 0 && summary == "" {
		return []domain.DuplicateHint{}, nil
	}
	received := in.ReceivedAt
	if received.After(now) {
		received = now
	}
	hints, err := s.cases.FindDuplicates(ctx, s.authz.Scope(p, domain.ActCaseRead), ids, summary, unit.ID, received.Add(-domain.DuplicateWindow), domain.DuplicateLimit)
	if err != nil {
		return nil, err
	}
	if hints == nil {
		hints = []domain.DuplicateHint{}
	}
	return hints, nil
}
