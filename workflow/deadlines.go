package workflow

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"kiemsat/domain"
)

// ClockStatus is where a time limit stands.
type ClockStatus string

// Clock statuses.
const (
	ClockRunning   ClockStatus = "running"   // đang chạy
	ClockDueSoon   ClockStatus = "due_soon"  // sắp hết hạn
	ClockMet       ClockStatus = "met"       // đã thực hiện đúng hạn
	ClockMetLate   ClockStatus = "met_late"  // đã thực hiện nhưng quá hạn
	ClockMissed    ClockStatus = "missed"    // đã hết hạn mà chưa thực hiện: vi phạm
	ClockStopped   ClockStatus = "stopped"   // dừng do tạm đình chỉ
	ClockCancelled ClockStatus = "cancelled" // không còn áp dụng
)

// ClockStatuses lists every clock status, open ones first.
var ClockStatuses = []ClockStatus{ClockMissed, ClockDueSoon, ClockRunning, ClockMet, ClockMetLate, ClockStopped, ClockCancelled}

// Open reports whether a clock with this status is still running: missed, due soon or running.
func (s ClockStatus) Open() bool { return s == ClockMissed || s == ClockDueSoon || s == ClockRunning }

// Clock is one time limit running (or run) on a case: which rule, on what, from when, until when
// (both readings of the start-day convention), with its extensions, its status at now, and why.
type Clock struct {
	Rule    RuleID
	NameVI  string
	NameEN  string
	Article string
	// Subject is "case", "decision" (a decision awaiting approval) or "measure"; SubjectID names
	// it, and AccusedID the person a decision or measure concerns.
	Subject        string
	SubjectID      string
	AccusedID      string
	Start          time.Time
	Length         Length
	Extensions     []Length
	ExtensionsLeft int
	Due            Due
	Status         ClockStatus
	// EndedOn is when the clock was met or stopped.
	EndedOn *time.Time
	// DaysLeft counts whole days from today to the latest last day; negative once it has passed.
	DaysLeft      int
	ExplanationVI string
	ExplanationEN string
}

// Clocks computes every time limit of a case from its decisions, accused and measures at now,
// counting days off by the legal calendar. It is a pure function: the same case, calendar and
// now give the same clocks. The class that selects the lengths is the case's governing class,
// applied from each clock's start, so a heavier or lighter charge recomputes the limit with the
// time already used (TTLT 04/2018 Art. 14).
func Clocks(cs *CaseState, cal *Calendar, now time.Time) []Clock {
	var out []Clock
	for _, r := range Rules {
		switch r.Kind {
		case ruleKindCase:
			out = append(out, caseClocks(cs, r, cal, now)...)
		case ruleKindPendingDecision:
			out = append(out, pendingClocks(cs, r, cal, now)...)
		case ruleKindMeasure:
			out = append(out, measureClocks(cs, r, cal, now)...)
		}
	}
	return out
}

// SortByUrgency orders clocks as a prosecutor reads them: open clocks (missed, due soon,
// running) first, the one whose latest reading runs out soonest at the top; then the ended ones,
// the most recently ended first. Ties keep a fixed order (rule, subject), so the same case gives
// the same list.
func SortByUrgency(clocks []Clock) {
	slices.SortStableFunc(clocks, func(a, b Clock) int {
		if ao, bo := a.Status.Open(), b.Status.Open(); ao != bo {
			if ao {
				return -1
			}
			return 1
		} else if ao {
			if c := a.Due.Latest.Deadline.Compare(b.Due.Latest.Deadline); c != 0 {
				return c
			}
		} else if a.EndedOn != nil && b.EndedOn != nil {
			if c := b.EndedOn.Compare(*a.EndedOn); c != 0 {
				return c
			}
		}
		if c := strings.Compare(string(a.Rule), string(b.Rule)); c != 0 {
			return c
		}
		return strings.Compare(a.SubjectID, b.SubjectID)
	})
}

// events are the decisions that count for clocks, in recording order: in force (corrections
// stand for the decisions they supersede, with their corrected dates).
func events(cs *CaseState) []domain.Decision {
	var out []domain.Decision
	for _, d := range cs.Decisions {
		if inForce(d, false) {
			out = append(out, d)
		}
	}
	return out
}

func caseClocks(cs *CaseState, r Rule, cal *Calendar, now time.Time) []Clock {
	base, ok := r.Length.For(cs.Class)
	if !ok {
		return nil // the class is not known yet: the limit cannot be computed
	}
	var clocks []Clock
	var open *Clock
	begin := func(start time.Time, id string) {
		clocks = append(clocks, Clock{Rule: r.ID, NameVI: r.NameVI, NameEN: r.NameEN, Article: r.Article, Subject: "case", SubjectID: id,
			Start: start, Length: base})
		open = &clocks[len(clocks)-1]
	}
	if r.StartsAtRegistration != "" && cs.RegisteredAs == r.StartsAtRegistration {
		begin(cs.ReceivedAt, cs.ID)
	}
	for _, d := range events(cs) {
		at := d.EffectiveOn
		switch {
		case slices.Contains(r.StartsOn, d.Step):
			if open == nil || open.EndedOn != nil {
				begin(at, cs.ID)
			}
		case open == nil || open.EndedOn != nil:
		case slices.Contains(r.MetBy, d.Step):
			e := at
			open.EndedOn, open.Status = &e, ClockMet
		case slices.Contains(r.StoppedBy, d.Step):
			e := at
			open.EndedOn, open.Status = &e, ClockStopped
		case r.Ladder != nil && d.Step == r.Ladder.Step:
			rungs := ladderFor(r.Ladder, cs.Class)
			if len(open.Extensions) < len(rungs) {
				open.Extensions = append(open.Extensions, rungs[len(open.Extensions)])
			}
		}
	}
	for i := range clocks {
		finish(&clocks[i], r, cs.Class, cal, now)
	}
	return clocks
}

func ladderFor(l *Ladder, c domain.SeverityClass) []Length {
	if rungs, ok := l.Each[c]; ok {
		return rungs
	}
	return l.Each[everyClass]
}

// finish computes a case clock's due readings with its extensions, its status and explanation.
func finish(c *Clock, r Rule, class domain.SeverityClass, cal *Calendar, now time.Time) {
	due := Count(c.Start, c.Length, r.Counting, cal)
	vi, en := due.ExplanationVI, due.ExplanationEN
	for i, ext := range c.Extensions {
		// An extension runs on from the last day of the period it extends.
		next := Count(due.Latest.LastDay, ext, r.Counting, cal)
		next.Earliest = Count(due.Earliest.LastDay, ext, r.Counting, cal).Earliest
		vi += fmt.Sprintf(" Gia hạn lần %d thêm %s (%s): %s", i+1, ext, r.Ladder.Article, next.ExplanationVI)
		en += fmt.Sprintf(" Extension %d adds %s (%s): %s", i+1, lengthEN(ext), r.Ladder.Article, next.ExplanationEN)
		due = next
	}
	if r.Ladder != nil {
		c.ExtensionsLeft = len(ladderFor(r.Ladder, class)) - len(c.Extensions)
	}
	c.Due = due
	c.ExplanationVI, c.ExplanationEN = c.NameVI+" ("+r.Article+"). "+vi, c.NameEN+" ("+r.Article+"). "+en
	c.status(r, now)
}

// status settles a clock's status at now: an ended clock was met on time or late (stopped ones
// stay stopped); an open one is running, due soon, or missed once its latest reading has passed.
func (c *Clock) status(r Rule, now time.Time) {
	today := domain.DateOf(now)
	c.DaysLeft = int(c.Due.Latest.LastDay.Sub(today).Hours() / 24)
	if c.EndedOn != nil {
		if c.Status == ClockMet && c.Due.Latest.Deadline.Before(endInstant(*c.EndedOn, r)) {
			c.Status = ClockMetLate
		}
		return
	}
	warn := time.Duration(r.WarnDays) * 24 * time.Hour
	if r.WarnDays == 0 {
		warn = 2 * time.Hour
	}
	switch {
	case !now.Before(c.Due.Latest.Deadline):
		c.Status = ClockMissed
	case !now.Before(c.Due.Earliest.Deadline.Add(-warn)):
		c.Status = ClockDueSoon
	default:
		c.Status = ClockRunning
	}
}

// endInstant is when an act dated end counts as done: at the instant itself for hour limits,
// during its day (so by its 24:00) for the others.
func endInstant(end time.Time, r Rule) time.Time {
	if l, _ := r.Length.For(everyClass); l.Unit == Hours {
		return end
	}
	return domain.DateOf(end).AddDate(0, 0, 1)
}

// pendingClocks time the procuracy's answer to each decision awaiting its approval, from the
// moment the decision reached it (recorded) until the answer.
func pendingClocks(cs *CaseState, r Rule, cal *Calendar, now time.Time) []Clock {
	l, _ := r.Length.For(everyClass)
	var out []Clock
	for _, d := range cs.Decisions {
		if !d.RequiresApproval || !slices.Contains(r.StartsOn, d.Step) {
			continue
		}
		c := Clock{Rule: r.ID, NameVI: r.NameVI, NameEN: r.NameEN, Article: r.Article, Subject: "decision", SubjectID: d.ID, Start: actedAt(d), Length: l}
		if len(d.AccusedIDs) == 1 {
			c.AccusedID = d.AccusedIDs[0]
		}
		for _, a := range cs.Decisions {
			if a.DecidesID == d.ID {
				e := actedAt(a)
				c.EndedOn, c.Status = &e, ClockMet
			}
		}
		due := Count(c.Start, l, r.Counting, cal)
		c.Due = due
		c.ExplanationVI = c.NameVI + " (" + r.Article + "). " + due.ExplanationVI
		c.ExplanationEN = c.NameEN + " (" + r.Article + "). " + due.ExplanationEN
		c.status(r, now)
		out = append(out, c)
	}
	return out
}

// detentionMaximum is the longest a single detention order may run for the stage it serves: the
// investigation lengths by class (Điều 173(1)); no longer than the prosecution period during
// prosecution (Điều 241, 240(1)); no longer than the trial preparation period at trial (Điều 278,
// 277(1)); 45 days when ordered at the pronouncement (Điều 329(3)). Extension orders are judged by
// the same single-order maximum; the ladders of extensions are not counted here.
func detentionMaximum(stage domain.MeasureStage, c domain.SeverityClass, investigation Length) (Length, string) {
	pick := func(id RuleID) (Length, bool) {
		r, _ := RuleByID(id)
		return r.Length.For(c)
	}
	switch stage {
	case domain.MeasureForProsecution:
		if l, ok := pick(RuleProsecutionDecision); ok {
			return l, "Điều 241 BLTTHS"
		}
	case domain.MeasureForTrial:
		if l, ok := pick(RuleTrialPreparation); ok {
			return l, "Điều 278 BLTTHS"
		}
	case domain.MeasureAfterVerdict:
		return d(45), "Điều 329(3) BLTTHS"
	}
	return investigation, "Điều 173(1) BLTTHS"
}

func articleEN(vi string) string {
	return strings.NewReplacer("Điều", "Art.", "BLTTHS", "CPC").Replace(vi)
}

// actedAt is when a decision reached (or was given by) the procuracy: the moment it was recorded,
// unless it was recorded after the day it was issued, when the platform only knows the date and
// takes the start of that day, the stricter reading.
func actedAt(d domain.Decision) time.Time {
	issued := domain.DateOf(d.IssuedOn)
	if d.RecordedAt.IsZero() || !d.RecordedAt.Before(issued.AddDate(0, 0, 1)) {
		return issued
	}
	return d.RecordedAt
}

// measureClocks time each custody or detention order that was executed: it must end by 24:00 of
// the end date written in the order (Điều 134(2)); the explanation also gives the law's maximum
// for the order and the custody days credited.
func measureClocks(cs *CaseState, r Rule, cal *Calendar, now time.Time) []Clock {
	var out []Clock
	for _, a := range cs.Accused {
		for _, m := range a.Measures {
			if m.Kind != r.Measure || m.Status == domain.MeasurePending || m.Status == domain.MeasureRefused {
				continue
			}
			l, ok := r.Length.For(cs.Class)
			if !ok {
				l, _ = r.Length.For(domain.ClassParticularlySerious)
			}
			basis := r.Article
			if r.Measure == domain.MeasureDetention {
				l, basis = detentionMaximum(m.Stage, cs.Class, l)
			}
			c := Clock{Rule: r.ID, NameVI: r.NameVI, NameEN: r.NameEN, Article: r.Article, Subject: "measure", SubjectID: m.ID, AccusedID: a.ID,
				Start: m.StartAt, Length: l}
			max := Count(m.StartAt, l, r.Counting, cal)
			due := max
			vi := fmt.Sprintf("Tối đa theo %s cho lệnh này: %s (%s).", basis, max.Latest.LastDay.Format(dmy), max.ExplanationVI)
			en := fmt.Sprintf("The maximum under %s for this order: %s (%s).", articleEN(basis), max.Latest.LastDay.Format(dmy), max.ExplanationEN)
			if m.OrderedEnd != nil {
				end := domain.DateOf(*m.OrderedEnd)
				due = Due{Earliest: reading(end), Latest: reading(end)}
				vi = fmt.Sprintf("Lệnh ghi ngày hết hạn %s: hết lúc 24 giờ ngày đó (Điều 134(2) BLTTHS). ", end.Format(dmy)) + vi
				en = fmt.Sprintf("The order ends on %s, at 24:00 (Art. 134(2) CPC). ", end.Format(dmy)) + en
			}
			if r.Measure == domain.MeasureDetention {
				if n := CustodyDaysCredited(a.Measures); n > 0 {
					vi += fmt.Sprintf(" %d ngày tạm giữ được trừ vào thời hạn tạm giam (Điều 118(4) BLTTHS) — chưa trừ vào ngày tối đa trên.", n)
					en += fmt.Sprintf(" %d custody days are credited against detention (Art. 118(4) CPC) — not yet deducted from the maximum above.", n)
				}
				if a.Minor() {
					vi += " Bị can là người dưới 18 tuổi: thời hạn tạm giam bằng 2/3 thời hạn đối với người đủ 18 tuổi (Điều 419 BLTTHS) — chưa áp dụng vào ngày tối đa trên."
					en += " The accused is a minor: detention limits are 2/3 of the adult ones (Art. 419 CPC) — not yet applied to the maximum above."
				}
			}
			c.Due = due
			if m.Status == domain.MeasureEnded {
				e := m.CreatedAt
				if m.EndedAt != nil {
					e = *m.EndedAt
				}
				c.EndedOn, c.Status = &e, ClockMet
			}
			c.ExplanationVI, c.ExplanationEN = c.NameVI+" ("+r.Article+"). "+vi, c.NameEN+" ("+r.Article+"). "+en
			c.status(r, now)
			out = append(out, c)
		}
	}
	return out
}
