package service

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// Period close (khóa số liệu kỳ thống kê) and the crime-trend view (diễn biến tình hình tội phạm).
//
// A closed period's figures are the unit's subtree as its head reads it (every case of the subtree,
// the secret cases of the unit itself), whoever closes or reads it later, so the snapshot and the
// figures it is compared with are always counted over the same cases.

// StatSnapshotFormat names the signed document's layout.
const StatSnapshotFormat = "kiemsat-statistics-period/1"

// StatSnapshot is the signed document of a closed period.
type StatSnapshot struct {
	Format      string             `json:"format"`
	UnitID      int64              `json:"unit_id"`
	UnitCode    string             `json:"unit_code"`
	Label       string             `json:"label"`
	From        string             `json:"from"`
	To          string             `json:"to"` // inclusive, as people write periods
	ClosedAt    string             `json:"closed_at"`
	ClosedBy    string             `json:"closed_by"`
	KeyID       string             `json:"key_id"`
	Definitions []StatSnapshotDef  `json:"definitions"`
	Cells       []StatSnapshotCell `json:"cells"`
}

// StatSnapshotDef names an indicator and the version of its definition the figures were made by.
type StatSnapshotDef struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// StatSnapshotCell is one frozen figure at the finest grain.
type StatSnapshotCell struct {
	Indicator string `json:"indicator"`
	UnitID    int64  `json:"unit_id"`
	Class     string `json:"class"`
	Chapter   string `json:"chapter"`
	Value     int64  `json:"value"`
}

// StatDifference is a figure that moved since its period was closed: a correction recorded later.
type StatDifference struct {
	StatSnapshotCell
	Current int64
}

// ClosedPeriod is a closed period with its snapshot, whether its signature holds, and the figures
// that differ from it now.
type ClosedPeriod struct {
	Period      domain.StatPeriod
	Snapshot    StatSnapshot
	Valid       bool
	Differences []StatDifference
	Totals      map[string]int64
	Current     map[string]int64
}

// StatCloseRequest closes [From, To) of a unit.
type StatCloseRequest struct {
	UnitID   int64
	From, To time.Time
	Label    string
	Note     string
}

// headScope reads what the head of unit u reads: every case of its subtree and the secret cases of
// the unit itself. No user is on any team, so nobody's own secret cases slip in.
func headScope(u domain.Unit) domain.Scope {
	return domain.Scope{UserID: "00000000-0000-0000-0000-000000000000", Action: domain.ActCaseRead, Entries: []domain.ScopeEntry{{
		Role: domain.Role("chief"), UnitID: u.ID, UnitPath: u.Path, Subtree: true, Cond: domain.Condition("any"), SecretUnit: true}}}
}

func allIndicators() []string {
	ids := make([]string, len(workflow.Indicators))
	for i, in := range workflow.Indicators {
		ids[i] = string(in.ID)
	}
	return ids
}

func snapshotCells(cells []domain.StatCell) []StatSnapshotCell {
	out := make([]StatSnapshotCell, len(cells))
	for i, c := range cells {
		out[i] = StatSnapshotCell{Indicator: c.Indicator, UnitID: c.UnitID, Class: c.Class, Chapter: c.Chapter, Value: c.Value}
	}
	slices.SortFunc(out, func(a, b StatSnapshotCell) int {
		ka := fmt.Sprintf("%s\x00%020d\x00%s\x00%s", a.Indicator, a.UnitID, a.Class, a.Chapter)
		kb := fmt.Sprintf("%s\x00%020d\x00%s\x00%s", b.Indicator, b.UnitID, b.Class, b.Chapter)
		if ka < kb {
			return -1
		} else if ka > kb {
			return 1
		}
		return 0
	})
	return out
}

// ClosePeriod freezes a period's figures for a unit as a signed snapshot. Only the unit's head may,
// once the period is over, and once: closing it again is a conflict.
func (s *Statistics) ClosePeriod(ctx context.Context, p *Principal, r StatCloseRequest) (ClosedPeriod, error) {
	if s.signer == nil {
		return ClosedPeriod{}, &domain.Error{Code: domain.CodeUnavailable, Message: "chưa cấu hình khóa ký số liệu"}
	}
	now := s.clock.Now()
	if r.UnitID == 0 {
		r.UnitID = p.User.UnitID
	}
	if len([]rune(r.Note)) > 2000 {
		return ClosedPeriod{}, domain.Invalid("note", "max_length", "ghi chú tối đa 2000 ký tự")
	}
	if !r.From.Before(r.To) {
		return ClosedPeriod{}, domain.Invalid("to", "after_from", "ngày kết thúc kỳ phải sau ngày bắt đầu")
	}
	if r.To.Sub(r.From) > 366*24*time.Hour {
		return ClosedPeriod{}, domain.Invalid("from", "range", "kỳ khóa số liệu tối đa một năm")
	}
	n := now.In(VietnamTime)
	if r.To.After(time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, VietnamTime)) {
		return ClosedPeriod{}, domain.Invalid("to", "not_ended", "chỉ khóa số liệu kỳ đã kết thúc")
	}
	u, err := s.units.GetUnit(ctx, r.UnitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return ClosedPeriod{}, domain.NotFound("đơn vị")
	} else if err != nil {
		return ClosedPeriod{}, err
	}
	if !s.authz.Scope(p, domain.ActCaseRead).PermitsUnit(u.ID, u.Path) && !reachesBelow(s.authz.Scope(p, domain.ActCaseRead), u.Path) {
		return ClosedPeriod{}, domain.NotFound("đơn vị")
	}
	closeScope := s.authz.Scope(p, domain.ActStatisticsClose)
	if !closeScope.PermitsUnit(u.ID, u.Path) {
		return ClosedPeriod{}, domain.Forbidden("chỉ viện trưởng của đơn vị được khóa số liệu kỳ thống kê")
	}
	f := domain.StatFilter{UnitID: u.ID, IncludeSubunits: true, From: r.From, To: r.To, Indicators: allIndicators()}
	var out ClosedPeriod
	err = s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cells, err := s.store.Statistics(ctx, headScope(u), f)
		if err != nil {
			return err
		}
		snap := StatSnapshot{Format: StatSnapshotFormat, UnitID: u.ID, UnitCode: u.Code, Label: r.Label,
			From: r.From.In(VietnamTime).Format(time.DateOnly), To: r.To.AddDate(0, 0, -1).In(VietnamTime).Format(time.DateOnly),
			ClosedAt: now.UTC().Format(time.RFC3339Nano), ClosedBy: p.User.ID, KeyID: s.signer.KeyID(), Cells: snapshotCells(cells)}
		for _, in := range workflow.Indicators {
			snap.Definitions = append(snap.Definitions, StatSnapshotDef{ID: string(in.ID), Version: in.Version})
		}
		b, err := json.Marshal(snap)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		per := domain.StatPeriod{ID: mustUUIDv7(), UnitID: u.ID, Label: r.Label, From: r.From, To: r.To, ClosedBy: p.User.ID, ClosedAt: now,
			Note: r.Note, Payload: b, Digest: hex.EncodeToString(sum[:]), KeyID: s.signer.KeyID(),
			Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(s.signer.key, b))}
		if err := s.store.InsertStatPeriod(ctx, per); err != nil {
			if domain.ErrorCodeOf(err) == domain.CodeConflict {
				return &domain.Error{Code: domain.CodeConflict, Message: "kỳ thống kê này của đơn vị đã được khóa",
					Details: []domain.Detail{{Field: "period", Rule: "already_closed"}}}
			}
			return err
		}
		detail, _ := json.Marshal(map[string]any{"period_id": per.ID, "from": snap.From, "to": snap.To, "digest": per.Digest})
		if err := s.audit.Record(ctx, p.audit(now, "statistics.close", "stat_period", per.ID, u.ID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		out = ClosedPeriod{Period: per, Snapshot: snap, Valid: true, Totals: snapshotTotals(snap.Cells), Current: snapshotTotals(snap.Cells)}
		return nil
	})
	return out, err
}

func snapshotTotals(cells []StatSnapshotCell) map[string]int64 {
	out := map[string]int64{}
	for _, id := range allIndicators() {
		out[id] = 0
	}
	for _, c := range cells {
		out[c.Indicator] += c.Value
	}
	return out
}

// mayReadUnitStatistics is the rule of GET /statistics: the unit in the caller's read scope, or a
// unit whose subtree reaches into it.
func (s *Statistics) mayReadUnitStatistics(p *Principal, u domain.Unit) bool {
	scope := s.authz.Scope(p, domain.ActCaseRead)
	return scope.PermitsUnit(u.ID, u.Path) || reachesBelow(scope, u.Path)
}

// Period reads a closed period: its snapshot, whether the signature holds, and every figure that
// differs now from what was frozen. Whoever may read the unit's statistics may read it; others get
// the same 404 as a period that does not exist. The read is audited.
func (s *Statistics) Period(ctx context.Context, p *Principal, id string) (ClosedPeriod, error) {
	if !validUUID(id) {
		return ClosedPeriod{}, domain.NotFound("kỳ thống kê")
	}
	per, err := s.store.GetStatPeriod(ctx, id)
	if err != nil {
		return ClosedPeriod{}, err
	}
	u, err := s.units.GetUnit(ctx, per.UnitID)
	if err != nil {
		return ClosedPeriod{}, err
	}
	if !s.mayReadUnitStatistics(p, u) {
		return ClosedPeriod{}, domain.NotFound("kỳ thống kê")
	}
	out := ClosedPeriod{Period: per}
	if err := json.Unmarshal(per.Payload, &out.Snapshot); err != nil {
		return ClosedPeriod{}, fmt.Errorf("stat period %s: payload: %w", id, err)
	}
	sum := sha256.Sum256(per.Payload)
	sig, err := base64.StdEncoding.DecodeString(per.Signature)
	out.Valid = err == nil && hex.EncodeToString(sum[:]) == per.Digest && s.signer != nil && per.KeyID == s.signer.KeyID() &&
		VerifyManifest(s.signer.PublicKey(), per.Payload, sig)
	cells, err := s.store.Statistics(ctx, headScope(u), domain.StatFilter{UnitID: u.ID, IncludeSubunits: true, From: per.From, To: per.To,
		Indicators: allIndicators()})
	if err != nil {
		return ClosedPeriod{}, err
	}
	now := snapshotCells(cells)
	key := func(c StatSnapshotCell) string {
		return c.Indicator + "\x00" + strconv.FormatInt(c.UnitID, 10) + "\x00" + c.Class + "\x00" + c.Chapter
	}
	frozen := map[string]StatSnapshotCell{}
	for _, c := range out.Snapshot.Cells {
		frozen[key(c)] = c
	}
	current := map[string]int64{}
	for _, c := range now {
		current[key(c)] = c.Value
		if f, ok := frozen[key(c)]; !ok || f.Value != c.Value {
			d := StatDifference{StatSnapshotCell: c, Current: c.Value}
			d.Value = f.Value
			out.Differences = append(out.Differences, d)
		}
	}
	for _, c := range out.Snapshot.Cells {
		if _, ok := current[key(c)]; !ok {
			out.Differences = append(out.Differences, StatDifference{StatSnapshotCell: c, Current: 0})
		}
	}
	slices.SortFunc(out.Differences, func(a, b StatDifference) int {
		ka, kb := key(a.StatSnapshotCell), key(b.StatSnapshotCell)
		if ka < kb {
			return -1
		} else if ka > kb {
			return 1
		}
		return 0
	})
	out.Totals, out.Current = snapshotTotals(out.Snapshot.Cells), snapshotTotals(now)
	detail, _ := json.Marshal(map[string]any{"period_id": id, "differences": len(out.Differences), "valid": out.Valid})
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "statistics.period.read", "stat_period", id, u.ID, domain.OutcomeSuccess, string(detail))); err != nil {
		return ClosedPeriod{}, err
	}
	return out, nil
}

// Periods lists the closed periods of a unit (and its subtree), newest first.
func (s *Statistics) Periods(ctx context.Context, p *Principal, unitID int64, subunits bool, limit, offset int) ([]domain.StatPeriod, int64, error) {
	if limit <= 0 {
		limit = domain.DefaultPageSize
	}
	if limit > domain.MaxPageSize {
		return nil, 0, domain.Invalid("limit", "max", fmt.Sprintf("tối đa %d bản ghi mỗi trang", domain.MaxPageSize))
	}
	if offset < 0 {
		return nil, 0, domain.Invalid("offset", "min", "offset không được âm")
	}
	if unitID == 0 {
		unitID = p.User.UnitID
	}
	u, err := s.units.GetUnit(ctx, unitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return nil, 0, domain.NotFound("đơn vị")
	} else if err != nil {
		return nil, 0, err
	}
	if !s.mayReadUnitStatistics(p, u) {
		return nil, 0, domain.NotFound("đơn vị")
	}
	ids := []int64{u.ID}
	if subunits {
		units, err := s.units.ListUnits(ctx)
		if err != nil {
			return nil, 0, err
		}
		ids = ids[:0]
		for _, x := range units {
			if u.Path.Contains(x.Path) && s.mayReadUnitStatistics(p, x) {
				ids = append(ids, x.ID)
			}
		}
	}
	return s.store.ListStatPeriods(ctx, ids, limit, offset)
}

// TrendRequest asks for one indicator by month and Penal Code chapter over whole months.
type TrendRequest struct {
	UnitID          int64
	IncludeSubunits bool
	Indicator       string
	From, To        time.Time // first days of months; To exclusive
}

// Trend is the crime-trend view: an indicator by month and offence group (Penal Code chapter).
type Trend struct {
	Filter domain.StatFilter
	Months []time.Time
	Cells  []domain.TrendCell
}

// Trend counts an indicator by month and chapter, within what the caller may read. The read is
// audited like a report.
func (s *Statistics) Trend(ctx context.Context, p *Principal, r TrendRequest) (Trend, error) {
	if r.Indicator == "" {
		r.Indicator = "cases_instituted"
	}
	if r.From.Day() != 1 || r.To.Day() != 1 {
		return Trend{}, domain.Invalid("from", "whole_months", "diễn biến tính theo tháng trọn vẹn")
	}
	if r.To.Sub(r.From) > 10*366*24*time.Hour {
		return Trend{}, domain.Invalid("from", "range", "diễn biến tối đa 10 năm")
	}
	f, scope, err := s.filter(ctx, p, StatRequest{UnitID: r.UnitID, IncludeSubunits: r.IncludeSubunits, From: r.From, To: r.To,
		Indicators: []string{r.Indicator}})
	if err != nil {
		return Trend{}, err
	}
	cells, err := s.store.StatisticsTrend(ctx, scope, f)
	if err != nil {
		return Trend{}, err
	}
	out := Trend{Filter: f, Cells: cells}
	for m := r.From; m.Before(r.To); m = m.AddDate(0, 1, 0) {
		out.Months = append(out.Months, m)
	}
	detail, _ := json.Marshal(map[string]any{"unit_id": f.UnitID, "include_subunits": f.IncludeSubunits, "indicator": r.Indicator,
		"from": f.From, "to": f.To})
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "statistics.trend", "unit", "", f.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return Trend{}, err
	}
	return out, nil
}
