package workflow

import (
	"fmt"
	"time"

	"kiemsat/domain"
)

// Unit is how a time limit is measured (Điều 134(1) BLTTHS: giờ, ngày, tháng, năm).
type Unit string

// Units.
const (
	Hours  Unit = "hours"
	Days   Unit = "days"
	Months Unit = "months"
)

// Length is a time limit's size: "3 days", "2 months", "12 hours".
type Length struct {
	Unit Unit
	N    int
}

// String renders the length in Vietnamese.
func (l Length) String() string {
	switch l.Unit {
	case Hours:
		return fmt.Sprintf("%d giờ", l.N)
	case Months:
		return fmt.Sprintf("%d tháng", l.N)
	}
	return fmt.Sprintf("%d ngày", l.N)
}

// Counting is how a rule counts its time (Điều 134 BLTTHS; TTLT 04/2018 Art. 17).
type Counting struct {
	// Continuous: custody and detention run through weekends and holidays, a month counts as 30
	// days, and the limit never moves to a working day.
	Continuous bool
	// RollOver: a limit that ends on a day off ends on the next working day. The law says so for
	// month limits; whether it covers day limits too is disputed, so it is a per-rule setting.
	RollOver bool
}

// Reading is one reading of when a limit ends: its last day and the instant it runs out (24:00 of
// the last day for day and month limits, the exact hour for hour limits).
type Reading struct {
	LastDay  time.Time
	Deadline time.Time
}

// Due is when a limit ends, read both ways where the law's start-day convention is disputed
// (reference §2): Earliest counts the trigger day as day 1 and is used for warnings, Latest starts
// counting the next day and is used to find violations. Explanations give the dates and the
// articles used.
type Due struct {
	Earliest, Latest Reading
	// Rolled: the latest reading was moved off a day off to the next working day.
	Rolled bool
	// Uncovered: the end falls in a year the legal calendar has no entries for, so only weekends
	// were known days off.
	Uncovered     bool
	ExplanationVI string
	ExplanationEN string
}

const dmy = "02/01/2006"

// Count computes when a limit of length l that starts at start ends, under the counting
// convention c and the legal calendar cal.
func Count(start time.Time, l Length, c Counting, cal *Calendar) Due {
	start = start.In(domain.ICT)
	if l.Unit == Hours {
		end := start.Add(time.Duration(l.N) * time.Hour)
		r := Reading{LastDay: domain.DateOf(end), Deadline: end}
		return Due{Earliest: r, Latest: r,
			ExplanationVI: fmt.Sprintf("Bắt đầu %s; thời hạn %s tính theo giờ (Điều 134(1) BLTTHS): hết lúc %s.", start.Format("15:04 "+dmy), l, end.Format("15:04 "+dmy)),
			ExplanationEN: fmt.Sprintf("Starts %s; %d hours counted by the hour (Art. 134(1) CPC): ends at %s.", start.Format("15:04 "+dmy), l.N, end.Format("15:04 "+dmy))}
	}
	day := domain.DateOf(start)
	var latest time.Time
	var ruleVI, ruleEN string
	switch {
	case c.Continuous:
		n := l.N
		if l.Unit == Months {
			n = l.N * 30
		}
		latest = day.AddDate(0, 0, n)
		ruleVI = fmt.Sprintf("tạm giữ, tạm giam tính liên tục, 01 tháng là 30 ngày: %d ngày (Điều 134(2) BLTTHS)", n)
		ruleEN = fmt.Sprintf("custody and detention run continuously, a month is 30 days: %d days (Art. 134(2) CPC)", n)
	case l.Unit == Months:
		latest = addMonthsClamped(day, l.N)
		ruleVI = "hết vào ngày trùng của tháng kết thúc, hoặc ngày cuối tháng nếu tháng đó không có ngày trùng (Điều 134(2) BLTTHS)"
		ruleEN = "ends on the same-numbered day of the month it ends in, or that month's last day (Art. 134(2) CPC)"
	default:
		latest = day.AddDate(0, 0, l.N)
		ruleVI = "hết lúc 24 giờ ngày cuối cùng (Điều 134(2) BLTTHS)"
		ruleEN = "ends at 24:00 of its last day (Art. 134(2) CPC)"
	}
	earliest := latest.AddDate(0, 0, -1)
	due := Due{Earliest: reading(earliest), Latest: reading(latest), Uncovered: !cal.Covers(latest)}
	rolledVI, rolledEN := "", ""
	if c.RollOver && !c.Continuous {
		if w := cal.NextWorkingDay(latest); !w.Equal(latest) {
			rolledVI = fmt.Sprintf("; %s là ngày nghỉ nên ngày làm việc tiếp theo %s là ngày cuối cùng (Điều 134(2) BLTTHS)", latest.Format(dmy), w.Format(dmy))
			rolledEN = fmt.Sprintf("; %s is a day off, so the next working day, %s, is the last day (Art. 134(2) CPC)", latest.Format(dmy), w.Format(dmy))
			due.Latest, due.Rolled = reading(w), true
		}
		if w := cal.NextWorkingDay(earliest); !w.Equal(earliest) {
			due.Earliest = reading(w)
		}
	}
	due.ExplanationVI = fmt.Sprintf("Bắt đầu %s; thời hạn %s, %s: ngày cuối cùng %s%s. Nếu tính cả ngày bắt đầu là ngày thứ nhất: %s.",
		day.Format(dmy), l, ruleVI, latest.Format(dmy), rolledVI, due.Earliest.LastDay.Format(dmy))
	due.ExplanationEN = fmt.Sprintf("Starts %s; %s, %s: last day %s%s. Counting the first day as day one: %s.",
		day.Format(dmy), lengthEN(l), ruleEN, latest.Format(dmy), rolledEN, due.Earliest.LastDay.Format(dmy))
	if due.Uncovered {
		due.ExplanationVI += " Lịch nghỉ lễ của năm này chưa có: chỉ tính thứ Bảy, Chủ nhật là ngày nghỉ."
		due.ExplanationEN += " The legal calendar has no entries for that year: only weekends were counted as days off."
	}
	return due
}

func reading(lastDay time.Time) Reading {
	return Reading{LastDay: lastDay, Deadline: lastDay.AddDate(0, 0, 1)}
}

func lengthEN(l Length) string {
	if l.Unit == Months {
		return fmt.Sprintf("%d months", l.N)
	}
	return fmt.Sprintf("%d days", l.N)
}

// addMonthsClamped adds months to a date and, when the month it lands in has no such day (31
// January + 1 month), takes that month's last day instead of overflowing into the next.
func addMonthsClamped(d time.Time, months int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, domain.ICT)
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, domain.ICT)
}
