package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// StatisticsStore computes indicators in SQL within a scope.
type StatisticsStore interface {
	Statistics(ctx context.Context, scope domain.Scope, f domain.StatFilter) ([]domain.StatCell, error)
	StatisticCases(ctx context.Context, scope domain.Scope, f domain.StatFilter, cell domain.StatCellFilter) ([]domain.StatCase, int64, error)
	StatisticsTrend(ctx context.Context, scope domain.Scope, f domain.StatFilter) ([]domain.TrendCell, error)
	InsertStatPeriod(ctx context.Context, p domain.StatPeriod) error
	GetStatPeriod(ctx context.Context, id string) (domain.StatPeriod, error)
	ListStatPeriods(ctx context.Context, unitIDs []int64, limit, offset int) ([]domain.StatPeriod, int64, error)
}

// Statistics are the automatic statistics (thống kê tự động): every indicator computed from the
// decisions and events recorded, for any unit subtree and period, never typed in.
type Statistics struct {
	units UnitStore
	store StatisticsStore
	authz *Authz
	audit Auditor
	clock Clock
	tx    TxRunner
	// signer signs closed periods; nil refuses to close them.
	signer *ManifestSigner
}

// NewStatistics wires the statistics.
func NewStatistics(units UnitStore, store StatisticsStore, authz *Authz, audit Auditor, clock Clock) *Statistics {
	return &Statistics{units: units, store: store, authz: authz, audit: audit, clock: clock}
}

// StatBreakdowns are the dimensions a report may be broken down by.
var StatBreakdowns = []string{"unit", "class", "chapter"}

// StatRequest asks for indicators over a unit (and its subtree) and a period, broken down by
// some of StatBreakdowns.
type StatRequest struct {
	UnitID          int64 // 0: the caller's unit
	IncludeSubunits bool
	From, To        time.Time // [From, To)
	Indicators      []string  // none: every indicator
	By              []string
}

// StatRow is one line of a report: an indicator's value for one combination of the breakdown's
// dimensions (a dimension not broken down by is nil).
type StatRow struct {
	Indicator string
	UnitID    *int64
	Class     *string
	Chapter   *string
	Value     int64
}

// StatReport is a computed report: the definitions used, its rows and each indicator's total.
type StatReport struct {
	Filter      domain.StatFilter
	By          []string
	Definitions []workflow.Indicator
	Rows        []StatRow
	Totals      map[string]int64
	At          time.Time
	// Units are the units the rows name, by id.
	Units map[int64]domain.Unit
}

func (s *Statistics) filter(ctx context.Context, p *Principal, r StatRequest) (domain.StatFilter, domain.Scope, error) {
	if !r.From.Before(r.To) {
		return domain.StatFilter{}, domain.Scope{}, domain.Invalid("to", "after_from", "ngày kết thúc kỳ phải sau ngày bắt đầu")
	}
	if r.To.Sub(r.From) > 20*366*24*time.Hour {
		return domain.StatFilter{}, domain.Scope{}, domain.Invalid("from", "range", "kỳ tối đa 20 năm")
	}
	ids := r.Indicators
	if len(ids) == 0 {
		for _, in := range workflow.Indicators {
			ids = append(ids, string(in.ID))
		}
	}
	for _, id := range ids {
		if _, ok := workflow.IndicatorByID(workflow.IndicatorID(id)); !ok {
			return domain.StatFilter{}, domain.Scope{}, domain.Invalid("indicator", "enum", "không có chỉ tiêu "+id)
		}
	}
	for _, b := range r.By {
		if !slices.Contains(StatBreakdowns, b) {
			return domain.StatFilter{}, domain.Scope{}, domain.Invalid("by", "enum", "chỉ phân tổ theo unit, class, chapter")
		}
	}
	unitID := r.UnitID
	if unitID == 0 {
		unitID = p.User.UnitID
	}
	scope := s.authz.Scope(p, domain.ActCaseRead)
	u, err := s.units.GetUnit(ctx, unitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return domain.StatFilter{}, domain.Scope{}, domain.NotFound("đơn vị")
	} else if err != nil {
		return domain.StatFilter{}, domain.Scope{}, err
	}
	if !scope.PermitsUnit(u.ID, u.Path) && !(r.IncludeSubunits && reachesBelow(scope, u.Path)) {
		return domain.StatFilter{}, domain.Scope{}, domain.NotFound("đơn vị")
	}
	return domain.StatFilter{UnitID: u.ID, IncludeSubunits: r.IncludeSubunits, From: r.From, To: r.To, Indicators: ids}, scope, nil
}

// Report computes the indicators asked for, within what the caller may read, and breaks them down.
// A unit the caller cannot reach is not found, like one that does not exist. The read is audited.
func (s *Statistics) Report(ctx context.Context, p *Principal, r StatRequest) (StatReport, error) {
	f, scope, err := s.filter(ctx, p, r)
	if err != nil {
		return StatReport{}, err
	}
	cells, err := s.store.Statistics(ctx, scope, f)
	if err != nil {
		return StatReport{}, err
	}
	now := s.clock.Now()
	rep := StatReport{Filter: f, By: r.By, Rows: AggregateStats(cells, r.By), Totals: map[string]int64{}, At: now}
	for _, id := range f.Indicators {
		in, _ := workflow.IndicatorByID(workflow.IndicatorID(id))
		rep.Definitions = append(rep.Definitions, in)
		rep.Totals[id] = 0
	}
	for _, c := range cells {
		rep.Totals[c.Indicator] += c.Value
	}
	if slices.Contains(r.By, "unit") {
		units, err := s.units.ListUnits(ctx)
		if err != nil {
			return StatReport{}, err
		}
		rep.Units = map[int64]domain.Unit{}
		for _, u := range units {
			rep.Units[u.ID] = u
		}
	}
	detail, _ := json.Marshal(map[string]any{"unit_id": f.UnitID, "include_subunits": f.IncludeSubunits, "from": f.From, "to": f.To,
		"indicators": f.Indicators, "by": r.By})
	if err := s.audit.Record(ctx, p.audit(now, "statistics.read", "unit", "", f.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return StatReport{}, err
	}
	return rep, nil
}

// Cases lists the cases behind a figure: one indicator, and optionally one unit, class and
// chapter. The read is audited like a case list.
func (s *Statistics) Cases(ctx context.Context, p *Principal, r StatRequest, cell domain.StatCellFilter) ([]domain.StatCase, int64, error) {
	if len(r.Indicators) != 1 {
		return nil, 0, domain.Invalid("indicator", "required", "chọn đúng một chỉ tiêu")
	}
	if cell.Limit <= 0 {
		cell.Limit = domain.DefaultPageSize
	}
	if cell.Limit > domain.MaxPageSize {
		return nil, 0, domain.Invalid("limit", "max", fmt.Sprintf("tối đa %d bản ghi mỗi trang", domain.MaxPageSize))
	}
	f, scope, err := s.filter(ctx, p, r)
	if err != nil {
		return nil, 0, err
	}
	items, total, err := s.store.StatisticCases(ctx, scope, f, cell)
	if err != nil {
		return nil, 0, err
	}
	detail, _ := json.Marshal(map[string]any{"indicator": f.Indicators[0], "unit_id": f.UnitID, "returned": len(items), "total": total})
	if err := s.audit.Record(ctx, p.audit(s.clock.Now(), "statistics.cases", "unit", "", f.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// AggregateStats sums cells into the rows of a breakdown, in a stable order: by indicator (in the
// definitions' order), then unit, class and chapter.
func AggregateStats(cells []domain.StatCell, by []string) []StatRow {
	has := func(d string) bool { return slices.Contains(by, d) }
	type key struct {
		ind, class, chapter string
		unit                int64
	}
	sums := map[key]int64{}
	var order []key
	for _, c := range cells {
		k := key{ind: c.Indicator}
		if has("unit") {
			k.unit = c.UnitID
		}
		if has("class") {
			k.class = c.Class
		}
		if has("chapter") {
			k.chapter = c.Chapter
		}
		if _, seen := sums[k]; !seen {
			order = append(order, k)
		}
		sums[k] += c.Value
	}
	rank := map[string]int{}
	for i, in := range workflow.Indicators {
		rank[string(in.ID)] = i
	}
	slices.SortFunc(order, func(a, b key) int {
		if d := rank[a.ind] - rank[b.ind]; d != 0 {
			return d
		}
		if a.unit != b.unit {
			if a.unit < b.unit {
				return -1
			}
			return 1
		}
		if d := strings.Compare(a.class, b.class); d != 0 {
			return d
		}
		return strings.Compare(a.chapter, b.chapter)
	})
	out := make([]StatRow, 0, len(order))
	for _, k := range order {
		r := StatRow{Indicator: k.ind, Value: sums[k]}
		if has("unit") {
			u := k.unit
			r.UnitID = &u
		}
		if has("class") {
			c := k.class
			r.Class = &c
		}
		if has("chapter") {
			c := k.chapter
			r.Chapter = &c
		}
		out = append(out, r)
	}
	return out
}
