package domain

import "time"

// StatFilter asks for statistical indicators (chỉ tiêu thống kê) over a unit (or its subtree) and
// a period [From, To).
type StatFilter struct {
	UnitID          int64
	IncludeSubunits bool
	From, To        time.Time
	Indicators      []string
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
