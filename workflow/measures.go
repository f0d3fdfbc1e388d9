package workflow

import (
	"time"

	"kiemsat/domain"
)

// CustodyDaysCredited is the number of custody days (tạm giữ) to deduct from a person's
// detention (tạm giam): one day of custody counts as one day of detention (Điều 118(4) BLTTHS).
// Each custody order and extension counts the calendar days from its start to its actual end (the
// release, or the ordered end date), both included; orders that were refused or never executed
// count nothing.
func CustodyDaysCredited(measures []domain.Measure) int {
	days := 0
	for _, m := range measures {
		if m.Kind != domain.MeasureCustody || (m.Status != domain.MeasureActive && m.Status != domain.MeasureEnded) {
			continue
		}
		var end time.Time
		switch {
		case m.EndedAt != nil && (m.OrderedEnd == nil || m.EndedAt.Before(*m.OrderedEnd)):
			end = *m.EndedAt
		case m.OrderedEnd != nil:
			end = *m.OrderedEnd
		default:
			continue
		}
		start, last := domain.DateOf(m.StartAt), domain.DateOf(end)
		if last.Before(start) {
			continue
		}
		days += int(last.Sub(start).Hours()/24+0.5) + 1
	}
	return days
}

// MeasureKindOf is the preventive measure (biện pháp ngăn chặn) a step orders or extends; "" for a
// step that orders none.
func MeasureKindOf(step domain.Step) domain.MeasureKind {
	switch step {
	case StepUrgentHold:
		return domain.MeasureUrgentHold
	case StepArrest:
		return domain.MeasureArrest
	case StepCustody, StepExtendCustody:
		return domain.MeasureCustody
	case StepDetention, StepExtendDetention:
		return domain.MeasureDetention
	case StepBail:
		return domain.MeasureBail
	case StepCashSurety:
		return domain.MeasureCashSurety
	case StepResidenceBan:
		return domain.MeasureResidentBan
	case StepWanted:
		return domain.MeasureWanted
	}
	return ""
}
