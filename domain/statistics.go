package domain

import "time"

// StatFilter asks for statistical indicators (chỉ tiêu thống kê) over a unit (or its subtree) and
// a period [From, To).
type StatFilter struct {
	UnitID          int64
	IncludeSubunits bool
	From, To        time.Time
	Indicators      []string
	// CaseByCase counts from the facts one case at a time instead of their rollups, as narrow
	// scopes are counted; tests use it to check the rollups.
	CaseByCase bool
}

// StatCell is one indicator's count for one unit, severity class and Penal Code chapter: the finest
// grain; any breakdown is a sum of cells. Class and Chapter are "" when unknown (a report without
// an offence named).
type StatCell struct {
	Indicator string
	UnitID    int64
	Class     string
	Chapter   string
	Value     int64
}

// StatCellFilter narrows a drill-down to the cases behind one cell (or a sum of cells): nil fields
// take every value.
type StatCellFilter struct {
	UnitID  *int64
	Class   *string
	Chapter *string
	Limit   int
	Offset  int
}

// StatCase is a case behind a figure.
type StatCase struct {
	ID       string
	Code     string
	Number   string
	UnitID   int64
	UnitCode string
	Stage    Stage
}

// ActStatisticsClose closes a statistical period (khóa số liệu kỳ thống kê) of a unit: only its
// head (viện trưởng), at the unit itself.
const ActStatisticsClose Action = "statistics.close"

// StatPeriod is a closed period: the figures of a unit's subtree for [From, To) frozen as a signed
// snapshot. Payload is the signed JSON document, byte for byte; it is never changed.
type StatPeriod struct {
	ID        string
	UnitID    int64
	Label     string
	From, To  time.Time
	ClosedBy  string
	ClosedAt  time.Time
	Note      string
	Payload   []byte
	Digest    string
	KeyID     string
	Signature string
}

// TrendCell is one month's count of an indicator for one Penal Code chapter (the crime-trend
// view: diễn biến tình hình tội phạm).
type TrendCell struct {
	Month   time.Time
	Chapter string
	Value   int64
}
