package domain

import "time"

// DayKind is why a date is in the legal calendar (lịch nghỉ lễ, Tết): a public holiday, a day of
// the Tết span, a compensatory day off, or a Saturday worked to make up for a swapped day off.
type DayKind string

// Day kinds (Labour Code 2019 Arts. 111–112 and the government's yearly notices).
const (
	DayStatutory    DayKind = "statutory"    // ngày lễ, Tết theo Điều 112 BLLĐ
	DayTetSpan      DayKind = "tet_span"     // ngày nghỉ Tết do Thủ tướng quyết định thêm
	DayCompensatory DayKind = "compensatory" // nghỉ bù, nghỉ hoán đổi
	DaySwapWorkday  DayKind = "swap_workday" // làm bù: a Saturday that is a working day
)

// DayKinds lists every day kind.
var DayKinds = []DayKind{DayStatutory, DayTetSpan, DayCompensatory, DaySwapWorkday}

// Valid reports whether k is a known kind.
func (k DayKind) Valid() bool { return oneOf(k, DayKinds) }

// Off reports whether the day is a day off (every kind but a make-up working day).
func (k DayKind) Off() bool { return k.Valid() && k != DaySwapWorkday }

// CalendarDay is one dated entry of the legal calendar. Confirmed is false for rows not yet
// announced by the government (provisional Tết days, derived compensatory days), which an
// administrator confirms when the year's schedule is published.
type CalendarDay struct {
	Date      time.Time // midnight ICT of the date
	NameVI    string
	NameEN    string
	Kind      DayKind
	Source    string
	Confirmed bool
}
