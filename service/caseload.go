package service

import (
	"context"
	"encoding/json"
	"time"

	"kiemsat/domain"
)

// CaseloadStore computes caseloads in SQL, within a scope.
type CaseloadStore interface {
	Caseload(ctx context.Context, scope domain.Scope, f domain.CaseloadFilter) (domain.Caseload, error)
}

// Caseload is a chief's review of the work of a unit and, with includeSubunits, of every unit
// below it (kiểm tra tình hình thụ lý): what is open now and where, what came in and was closed
// over the period [from, to), the time limits run out or about to, who is held and until when,
// and each prosecutor's load. It counts only what the caller may read, exactly as the case list
// filters would. unitID 0 means the caller's own unit; a unit the caller cannot reach is not
// found, like one that does not exist. The read is audited.
func (s *Cases) Caseload(ctx context.Context, p *Principal, unitID int64, includeSubunits bool, from, to time.Time) (domain.Caseload, error) {
	if s.caseload == nil {
		return domain.Caseload{}, domain.Errorf(domain.CodeUnavailable, "chưa cấu hình tình hình thụ lý")
	}
	if !from.Before(to) {
		return domain.Caseload{}, domain.Invalid("to", "after_from", "ngày kết thúc kỳ phải sau ngày bắt đầu")
	}
	if to.Sub(from) > 20*366*24*time.Hour {
		return domain.Caseload{}, domain.Invalid("from", "range", "kỳ tối đa 20 năm")
	}
	if unitID == 0 {
		unitID = p.User.UnitID
	}
	scope := s.authz.Scope(p, domain.ActCaseRead)
	u, err := s.units.GetUnit(ctx, unitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.Caseload{}, domain.NotFound("đơn vị")
	} else if err != nil {
		return domain.Caseload{}, err
	}
	if !scope.PermitsUnit(u.ID, u.Path) && !(includeSubunits && reachesBelow(scope, u.Path)) {
		return domain.Caseload{}, domain.NotFound("đơn vị")
	}
	now := s.clock.Now()
	cl, err := s.caseload.Caseload(ctx, scope, domain.CaseloadFilter{UnitID: u.ID, IncludeSubunits: includeSubunits, From: from, To: to,
		Now: now, DueBefore: now.Add(7 * 24 * time.Hour), Expiries: 20})
	if err != nil {
		return domain.Caseload{}, err
	}
	detail, _ := json.Marshal(map[string]any{"unit_id": u.ID, "include_subunits": includeSubunits, "from": from, "to": to, "open": cl.Totals.Open})
	if err := s.audit.Record(ctx, p.audit(now, "caseload.read", "unit", "", u.ID, domain.OutcomeSuccess, string(detail))); err != nil {
		return domain.Caseload{}, err
	}
	return cl, nil
}
