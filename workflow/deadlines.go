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
	// LegalMax, on custody and detention clocks only, is the latest the law lets the order run:
	// the tightest of the single order's maximum, the investigation ladder's total with custody
	// days deducted, the investigation time left, and 2/3 of the adult limits for a minor. Due
	// stays the end written in the order; an order that outlasts LegalMax says so in its
	// explanation. Nil on the other clocks.
	LegalMax *Due
	// Assumed marks a clock shown with an extension not granted yet (the "what if" of
	// AssumeExtension); stored clocks never are.
	Assumed bool
}

// Clocks computes every time limit of a case from its decisions, accused and measures at now,
// counting days off by the legal calendar. It is a pure function: the same case, calendar and
// now give the same clocks. The class that selects the lengths is the case's governing class,
// applied from each clock's start, so a heavier or lighter charge recomputes the limit with the
// time already used (TTLT 04/2018 Art. 14).
func Clocks(cs *CaseState, cal *Calendar, now time.Time) []Clock {
	// The decisions in force are picked once for every rule, on a copy: the caller's state is
	// left as it was.
	st := *cs
	st.inForce = events(cs)
	cs = &st
	var out []Clock
	for _, r := range Rules {
		out = append(out, clocksOf(cs, r, cal, now)...)
	}
	return out
}

// clocksOf computes the clocks of one version of a rule: those whose start it judges (RuleAt).
func clocksOf(cs *CaseState, r Rule, cal *Calendar, now time.Time) []Clock {
	var all []Clock
	switch r.Kind {
	case ruleKindCase:
		if r.Shortens != "" {
			all = summaryClocks(cs, r, cal, now)
		} else {
			all = caseClocks(cs, r, cal, now)
		}
	case ruleKindPendingDecision:
		all = pendingClocks(cs, r, cal, now)
	case ruleKindMeasure:
		all = measureClocks(cs, r, cal, now)
	case ruleKindDelivery:
		all = deliveryClocks(cs, r, cal, now)
	}
	out := all[:0]
	for _, c := range all {
		if r.judges(c.Start) {
			out = append(out, c)
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
	if cs.inForce != nil {
		return cs.inForce
	}
	out := []domain.Decision{}
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
	closedBy := map[int]domain.Decision{}
	for _, d := range events(cs) {
		at := d.EffectiveOn
		switch {
		case slices.Contains(r.StartsOn, d.Step):
			// A window opens afresh with every judgment (a retrial's judgment after a remand or a
			// cassation): the previous window has long closed by then.
			if open == nil || open.EndedOn != nil || r.Window {
				begin(at, cs.ID)
			}
		case open == nil || open.EndedOn != nil:
		case slices.Contains(r.MetBy, d.Step):
			e := at
			open.EndedOn, open.Status = &e, ClockMet
		case slices.Contains(r.StoppedBy, d.Step):
			e := at
			open.EndedOn, open.Status = &e, ClockStopped
		case slices.Contains(r.ClosedBy, d.Step):
			e := at
			open.EndedOn, open.Status = &e, ClockCancelled
			closedBy[len(clocks)-1] = d
		case r.Ladder != nil && d.Step == r.Ladder.Step:
			rungs := ladderFor(r.Ladder, cs.Class)
			if len(open.Extensions) < len(rungs) {
				open.Extensions = append(open.Extensions, rungs[len(open.Extensions)])
			}
		}
	}
	for i := range clocks {
		finish(&clocks[i], r, cs.Class, cal, now)
		if d, ok := closedBy[i]; ok {
			n := stepName(d.Step)
			clocks[i].ExplanationVI += fmt.Sprintf(" Không ghi nhận việc thực hiện; %s ngày %s cho thấy việc này đã được thực hiện nhưng không rõ ngày: thời hạn không còn được theo dõi.",
				lower(n.VI), d.EffectiveOn.In(domain.ICT).Format(dmy))
			clocks[i].ExplanationEN += fmt.Sprintf(" The act was not recorded; %s on %s shows it was done, on an unknown day: the limit is no longer tracked.",
				lowerEN(n.EN), d.EffectiveOn.In(domain.ICT).Format(dmy))
		}
	}
	return clocks
}

// stepName names a step in Vietnamese and English, from the transition table.
func stepName(s domain.Step) Name {
	if t, ok := ByStep(s); ok {
		return Name{t.NameVI, t.NameEN}
	}
	return Name{string(s), string(s)}
}

func lowerEN(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// summaryPeriod is a stretch of time during which the summary procedure applied: from the
// decision applying it to the one cancelling it (nil while it still applies).
type summaryPeriod struct {
	from time.Time
	to   *time.Time
}

// summaryPeriods reads when the summary procedure applied from the decisions applying and
// cancelling it (Điều 457–458 BLTTHS).
func summaryPeriods(cs *CaseState) []summaryPeriod {
	var out []summaryPeriod
	for _, d := range events(cs) {
		switch d.Step {
		case StepApplySummary:
			if len(out) == 0 || out[len(out)-1].to != nil {
				out = append(out, summaryPeriod{from: d.EffectiveOn})
			}
		case StepCancelSummary:
			if len(out) > 0 && out[len(out)-1].to == nil {
				e := d.EffectiveOn
				out[len(out)-1].to = &e
			}
		}
	}
	return out
}

// summaryAt reports whether the summary procedure applied at t.
func summaryAt(periods []summaryPeriod, t time.Time) bool {
	for _, p := range periods {
		if !t.Before(p.from) && (p.to == nil || t.Before(*p.to)) {
			return true
		}
	}
	return false
}

// summaryClocks time a summary-procedure rule on the clocks of the general rule it shortens:
// every general clock that ran while the summary procedure applied gets a shortened twin, from
// the general start (or from the application, for rules that say so), ended by what ended the
// general clock, or cancelled with the summary procedure. A cancellation that comes after the
// shortened limit ran out does not erase the breach: the clock is met late.
func summaryClocks(cs *CaseState, r Rule, cal *Calendar, now time.Time) []Clock {
	gen, ok := RuleByID(r.Shortens)
	l, lok := r.Length.For(cs.Class)
	if !ok || !lok {
		return nil
	}
	periods := summaryPeriods(cs)
	if len(periods) == 0 {
		return nil
	}
	var out []Clock
	for _, g := range caseClocks(cs, gen, cal, now) {
		for _, p := range periods {
			if g.EndedOn != nil && !p.from.Before(*g.EndedOn) || p.to != nil && !p.to.After(g.Start) {
				continue // the procedure did not apply while this clock ran
			}
			c := Clock{Rule: r.ID, NameVI: r.NameVI, NameEN: r.NameEN, Article: r.Article, Subject: "case", SubjectID: g.SubjectID, Start: g.Start, Length: l}
			fromVI, fromEN := "", ""
			if r.FromApplication && p.from.After(g.Start) {
				c.Start = p.from
				fromVI = fmt.Sprintf(" Thủ tục rút gọn được áp dụng ngày %s, sau khi thời hạn chung bắt đầu: thời hạn rút gọn tính từ quyết định áp dụng.", p.from.In(domain.ICT).Format(dmy))
				fromEN = fmt.Sprintf(" The summary procedure was applied on %s, after the general limit began: the shortened limit counts from that decision.", p.from.In(domain.ICT).Format(dmy))
			}
			cancelled := p.to != nil && (g.EndedOn == nil || p.to.Before(*g.EndedOn))
			switch {
			case cancelled:
				e := *p.to
				c.EndedOn, c.Status = &e, ClockCancelled
			case g.EndedOn != nil:
				e := *g.EndedOn
				c.EndedOn, c.Status = &e, g.Status
				if g.Status == ClockMetLate {
					c.Status = ClockMet
				}
			}
			finish(&c, r, cs.Class, cal, now)
			c.ExplanationVI += fromVI + fmt.Sprintf(" Áp dụng vì vụ án được giải quyết theo thủ tục rút gọn (quyết định ngày %s, Điều 457 BLTTHS); thời hạn chung (%s) vẫn tiếp tục.",
				p.from.In(domain.ICT).Format(dmy), gen.Article)
			c.ExplanationEN += fromEN + fmt.Sprintf(" It applies because the case is under the summary procedure (decision of %s, Art. 457 CPC); the general limit (%s) runs on.",
				p.from.In(domain.ICT).Format(dmy), articleEN(gen.Article))
			if cancelled {
				c.ExplanationVI += fmt.Sprintf(" Thủ tục rút gọn bị hủy bỏ ngày %s: tiếp tục theo thời hạn chung (Điều 458 BLTTHS).", p.to.In(domain.ICT).Format(dmy))
				c.ExplanationEN += fmt.Sprintf(" The summary procedure was cancelled on %s: the general limit continues (Art. 458 CPC).", p.to.In(domain.ICT).Format(dmy))
				if c.Due.Latest.Deadline.Before(endInstant(*c.EndedOn, r)) {
					c.Status = ClockMetLate
					c.ExplanationVI += " Việc hủy bỏ đến sau khi thời hạn rút gọn đã hết: vi phạm thời hạn trong thời gian áp dụng thủ tục rút gọn."
					c.ExplanationEN += " The cancellation came after the shortened limit had run out: the limit was broken while the procedure applied."
				}
			}
			out = append(out, c)
		}
	}
	return out
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
		// An extension runs on from the last day of the period it extends: its day one is the next day
		// (the earliest reading counts that day as day one; the latest starts after it).
		next := Count(due.Latest.LastDay, ext, r.Counting, cal)
		next.Earliest = Count(due.Earliest.LastDay.AddDate(0, 0, 1), ext, r.Counting, cal).Earliest
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
	if r.Window && c.closeWindow(r, now) {
		return
	}
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

// closeWindow closes a window clock that ran out unused, at its latest reading, as cancelled:
// not acting within a window is no violation. An act dated after the window closed (a late
// appeal, which the appellate court may still admit under Điều 335, or a protest by the other
// procuracy) does not reopen it; the explanation names it.
func (c *Clock) closeWindow(r Rule, now time.Time) bool {
	closed := c.Due.Latest.Deadline
	switch {
	case c.EndedOn == nil && !now.Before(closed):
		c.ExplanationVI += fmt.Sprintf(" Hết thời hạn ngày %s mà không ghi nhận việc thực hiện: quyền này không còn, không phải vi phạm.", c.Due.Latest.LastDay.Format(dmy))
		c.ExplanationEN += fmt.Sprintf(" The window closed on %s unused: the right lapsed; this is not a violation.", c.Due.Latest.LastDay.Format(dmy))
	case c.EndedOn != nil && c.Status == ClockMet && closed.Before(endInstant(*c.EndedOn, r)):
		c.ExplanationVI += fmt.Sprintf(" Việc thực hiện ngày %s đến sau khi thời hạn đã hết ngày %s (quá hạn: Điều 335 BLTTHS), hoặc do chủ thể có thời hạn khác thực hiện.",
			c.EndedOn.In(domain.ICT).Format(dmy), c.Due.Latest.LastDay.Format(dmy))
		c.ExplanationEN += fmt.Sprintf(" The act of %s came after the window closed on %s (out of time: Art. 335 CPC), or was taken by one with another window.",
			c.EndedOn.In(domain.ICT).Format(dmy), c.Due.Latest.LastDay.Format(dmy))
	default:
		return false
	}
	c.EndedOn, c.Status = &closed, ClockCancelled
	return true
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
// 277(1)); 45 days when ordered at the pronouncement (Điều 329(3)). Under the summary procedure an
// order for the investigation lasts at most 20 days, for the prosecution 5 and for the trial 17
// (Điều 459). Extension orders are judged by the same single-order maximum; the investigation
// ladder's total is checked apart, over every order of the person.
func detentionMaximum(stage domain.MeasureStage, c domain.SeverityClass, investigation Length, summary bool) (Length, string) {
	pick := func(id RuleID) (Length, bool) {
		r, _ := RuleByID(id)
		return r.Length.For(c)
	}
	if summary {
		switch stage {
		case domain.MeasureForProsecution:
			return d(5), "Điều 459 BLTTHS"
		case domain.MeasureForTrial:
			return d(17), "Điều 459 BLTTHS"
		case domain.MeasureForInvestigation, "":
			return d(20), "Điều 459 BLTTHS"
		}
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

// continuousDays is a custody or detention length in days: a month counts as 30 (Điều 134(2)).
func continuousDays(l Length) int {
	if l.Unit == Months {
		return l.N * 30
	}
	return l.N
}

// minorDays is 2/3 of an adult custody or detention limit, the limit of a person under 18 (Điều
// 419 BLTTHS), rounded down to whole days: the reading that favours the person held.
func minorDays(n int) int { return n * 2 / 3 }

// detentionLadderDays is the most detention for investigation the law allows a class with every
// extension (Điều 173(2)–(4)): ÍNT 3 months, NT 5, RNT 7, ĐBNT 12, in days. The Supreme Chief
// Procurator's further extensions (ĐBNT, national security: Điều 173(4)–(6)) are not counted.
func detentionLadderDays(r Rule, c domain.SeverityClass) (int, bool) {
	base, ok := r.Length.For(c)
	if !ok || r.Ladder == nil {
		return 0, false
	}
	n := continuousDays(base)
	for _, l := range ladderFor(r.Ladder, c) {
		n += continuousDays(l)
	}
	return n, true
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

// investigationClocks are the clocks of every investigation period of the case (initial,
// resumed, supplementary, summary), which a detention for investigation may not outlast.
func investigationClocks(cs *CaseState, cal *Calendar, now time.Time) []Clock {
	var out []Clock
	for _, id := range []RuleID{RuleInvestigation, RuleInvestigationResumed, RuleSupplementaryVKS, RuleSupplementaryCourt, RuleSummaryInvestigation} {
		for _, r := range Rules {
			if r.ID == id {
				out = append(out, clocksOf(cs, r, cal, now)...)
			}
		}
	}
	return out
}

// investigationLeft is the tightest investigation clock that was running when an order began:
// the order may not outlast it (Điều 173 BLTTHS; TTLT 04/2018 Art. 14(3)).
func investigationLeft(clocks []Clock, start time.Time) *Clock {
	day := domain.DateOf(start)
	var best *Clock
	for i := range clocks {
		c := &clocks[i]
		if day.Before(domain.DateOf(c.Start)) || c.EndedOn != nil && domain.DateOf(*c.EndedOn).Before(day) {
			continue
		}
		if best == nil || c.Due.Latest.LastDay.Before(best.Due.Latest.LastDay) {
			best = c
		}
	}
	return best
}

func executed(m domain.Measure) bool {
	return m.Status != domain.MeasurePending && m.Status != domain.MeasureRefused
}

func servesInvestigation(m domain.Measure) bool {
	return m.Stage == domain.MeasureForInvestigation || m.Stage == ""
}

// detentionChainStart is when a person's detention for investigation began: the start of their
// earliest executed detention order for the investigation.
func detentionChainStart(measures []domain.Measure) time.Time {
	var first time.Time
	for _, m := range measures {
		if m.Kind == domain.MeasureDetention && executed(m) && servesInvestigation(m) && (first.IsZero() || m.StartAt.Before(first)) {
			first = m.StartAt
		}
	}
	return first
}

// measureClocks time each custody or detention order that was executed: it must end by 24:00 of
// the end date written in the order (Điều 134(2)). The explanation and LegalMax give the law's
// maximum for the order: the single order's, 2/3 of it for a minor (Điều 419), the custody days
// deducted from the first detention (Điều 118(4)); for a detention for investigation also the
// ladder's total (Điều 173(2)–(4)) and the investigation time left (Điều 173; TTLT 04/2018 Art.
// 14(3)). An order whose end outlasts the maximum says so; its clock still runs to the order's end.
func measureClocks(cs *CaseState, r Rule, cal *Calendar, now time.Time) []Clock {
	var out []Clock
	var investigations []Clock
	var periods []summaryPeriod
	if r.Measure == domain.MeasureDetention {
		investigations = investigationClocks(cs, cal, now)
		periods = summaryPeriods(cs)
	}
	for _, a := range cs.Accused {
		minor := a.Minor()
		chainStart := detentionChainStart(a.Measures)
		for _, m := range a.Measures {
			if m.Kind != r.Measure || !executed(m) {
				continue
			}
			l, ok := r.Length.For(cs.Class)
			if !ok {
				l, _ = r.Length.For(domain.ClassParticularlySerious)
			}
			basis := r.Article
			detention := r.Measure == domain.MeasureDetention
			summary := detention && summaryAt(periods, m.StartAt)
			forInvestigation := detention && servesInvestigation(m)
			if detention {
				l, basis = detentionMaximum(m.Stage, cs.Class, l, summary)
			}
			c := Clock{Rule: r.ID, NameVI: r.NameVI, NameEN: r.NameEN, Article: r.Article, Subject: "measure", SubjectID: m.ID, AccusedID: a.ID,
				Start: m.StartAt, Length: l}
			credited := 0
			if forInvestigation && m.ExtendsID == "" && m.StartAt.Equal(chainStart) {
				credited = CustodyDaysCredited(a.Measures)
			}
			days := continuousDays(l)
			if minor {
				days = minorDays(days)
			}
			singleLen := l
			if minor || credited > 0 {
				singleLen = d(max(days-credited, 0))
			}
			single := Count(m.StartAt, singleLen, r.Counting, cal)
			vi := fmt.Sprintf("Tối đa theo %s cho lệnh này: %s (%s).", basis, single.Latest.LastDay.Format(dmy), single.ExplanationVI)
			en := fmt.Sprintf("The maximum under %s for this order: %s (%s).", articleEN(basis), single.Latest.LastDay.Format(dmy), single.ExplanationEN)
			if minor {
				vi += fmt.Sprintf(" Người dưới 18 tuổi: thời hạn bằng 2/3 thời hạn đối với người đủ 18 tuổi (Điều 419 BLTTHS), làm tròn xuống: %d ngày thay vì %d ngày — đã áp dụng vào ngày tối đa trên.", days, continuousDays(l))
				en += fmt.Sprintf(" A person under 18: the limit is 2/3 of the adult one (Art. 419 CPC), rounded down: %d days instead of %d — applied to the maximum above.", days, continuousDays(l))
			}
			if detention {
				if n := CustodyDaysCredited(a.Measures); n > 0 {
					if credited > 0 {
						vi += fmt.Sprintf(" %d ngày tạm giữ được trừ vào thời hạn tạm giam (Điều 118(4) BLTTHS) — đã trừ vào ngày tối đa trên.", n)
						en += fmt.Sprintf(" %d custody days are credited against detention (Art. 118(4) CPC) — deducted from the maximum above.", n)
					} else {
						vi += fmt.Sprintf(" %d ngày tạm giữ được trừ vào thời hạn tạm giam (Điều 118(4) BLTTHS), một lần, vào lệnh tạm giam để điều tra đầu tiên.", n)
						en += fmt.Sprintf(" %d custody days are credited against detention (Art. 118(4) CPC), once, on the first detention order for the investigation.", n)
					}
				}
			}
			legal := single
			legal.ExplanationVI, legal.ExplanationEN = vi, en
			if forInvestigation && !summary {
				if total, ok := detentionLadderDays(r, cs.Class); ok {
					if minor {
						total = minorDays(total)
					}
					whole := CustodyDaysCredited(a.Measures)
					ladder := Count(chainStart, d(max(total-whole, 0)), r.Counting, cal)
					ladderVI := fmt.Sprintf(" Tổng thời hạn tạm giam để điều tra kể cả các lần gia hạn (Điều 173(2)–(4) BLTTHS), %s: %d ngày từ ngày %s, trừ %d ngày tạm giữ: đến hết ngày %s.",
						cs.Class.Abbrev(), total, domain.DateOf(chainStart).Format(dmy), whole, ladder.Latest.LastDay.Format(dmy))
					ladderEN := fmt.Sprintf(" Total detention for the investigation with every extension (Art. 173(2)–(4) CPC), %s: %d days from %s, less %d custody days: to the end of %s.",
						cs.Class.Abbrev(), total, domain.DateOf(chainStart).Format(dmy), whole, ladder.Latest.LastDay.Format(dmy))
					vi, en = vi+ladderVI, en+ladderEN
					c.ExtensionsLeft = max(len(r.Ladder.Rungs(cs.Class))-m.ExtensionNo, 0)
					if ladder.Latest.LastDay.Before(legal.Latest.LastDay) {
						legal = ladder
						legal.ExplanationVI, legal.ExplanationEN = ladderVI, ladderEN
					}
				}
			}
			if forInvestigation {
				if inv := investigationLeft(investigations, m.StartAt); inv != nil {
					ivi := fmt.Sprintf(" Tạm giam để điều tra không được quá thời hạn điều tra còn lại (Điều 173 BLTTHS; Điều 14(3) TTLT 04/2018): %s (%s) hết ngày %s.",
						lower(inv.NameVI), inv.Article, inv.Due.Latest.LastDay.Format(dmy))
					ien := fmt.Sprintf(" Detention for the investigation may not outlast the investigation time left (Art. 173 CPC; TTLT 04/2018 Art. 14(3)): the %s (%s) ends on %s.",
						lowerEN(inv.NameEN), articleEN(inv.Article), inv.Due.Latest.LastDay.Format(dmy))
					vi, en = vi+ivi, en+ien
					if inv.Due.Latest.LastDay.Before(legal.Latest.LastDay) {
						legal = inv.Due
						legal.ExplanationVI, legal.ExplanationEN = ivi, ien
					}
				}
			}
			c.LegalMax = &legal
			c.Due = single
			if m.OrderedEnd != nil {
				end := domain.DateOf(*m.OrderedEnd)
				c.Due = Due{Earliest: reading(end), Latest: reading(end)}
				vi = fmt.Sprintf("Lệnh ghi ngày hết hạn %s: hết lúc 24 giờ ngày đó (Điều 134(2) BLTTHS). ", end.Format(dmy)) + vi
				en = fmt.Sprintf("The order ends on %s, at 24:00 (Art. 134(2) CPC). ", end.Format(dmy)) + en
				if end.After(legal.Latest.LastDay) {
					vi += fmt.Sprintf(" Ngày hết hạn ghi trong lệnh (%s) vượt quá ngày tối đa theo luật (%s): giữ người sau ngày %s là không có căn cứ.",
						end.Format(dmy), legal.Latest.LastDay.Format(dmy), legal.Latest.LastDay.Format(dmy))
					en += fmt.Sprintf(" The order's end (%s) is later than the law's maximum (%s): holding the person after %s has no legal basis.",
						end.Format(dmy), legal.Latest.LastDay.Format(dmy), legal.Latest.LastDay.Format(dmy))
				}
			}
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

// deliveryClocks time the receipt by the procuracy of each decision of another body the rule
// names, when the decision's receipt (received_at) was recorded: the limit runs from the
// decision's issue, whose hour is not recorded, so the earliest reading starts at the beginning of
// the issue day and the latest at its end (24:00). Each clock is met, on time or late, at the
// receipt; without a receipt there is no clock, rather than a guess.
func deliveryClocks(cs *CaseState, r Rule, cal *Calendar, now time.Time) []Clock {
	l, _ := r.Length.For(everyClass)
	var out []Clock
	for _, d := range cs.Decisions {
		if !slices.Contains(r.StartsOn, d.Step) || d.ReceivedAt == nil || d.Issuer == domain.IssuerProcuracy || !inForce(d, true) {
			continue
		}
		day := domain.DateOf(d.IssuedOn)
		c := Clock{Rule: r.ID, NameVI: r.NameVI, NameEN: r.NameEN, Article: r.Article, Subject: "decision", SubjectID: d.ID, Start: day, Length: l}
		if len(d.AccusedIDs) == 1 {
			c.AccusedID = d.AccusedIDs[0]
		}
		due := Count(day, l, r.Counting, cal)
		if l.Unit == Hours {
			due.Latest = Count(day.AddDate(0, 0, 1), l, r.Counting, cal).Latest
			due.ExplanationVI = fmt.Sprintf("Quyết định ban hành ngày %s (không ghi giờ): %s tính từ 0 giờ hết lúc %s, tính từ 24 giờ hết lúc %s (Điều 134(1) BLTTHS).",
				day.Format(dmy), l, due.Earliest.Deadline.Format("15:04 "+dmy), due.Latest.Deadline.Format("15:04 "+dmy))
			due.ExplanationEN = fmt.Sprintf("Issued on %s (no hour recorded): %s from 00:00 ends at %s, from 24:00 at %s (Art. 134(1) CPC).",
				day.Format(dmy), lengthEN(l), due.Earliest.Deadline.Format("15:04 "+dmy), due.Latest.Deadline.Format("15:04 "+dmy))
		}
		received := *d.ReceivedAt
		c.Due, c.EndedOn, c.Status = due, &received, ClockMet
		c.ExplanationVI = c.NameVI + " (" + r.Article + "). " + due.ExplanationVI +
			fmt.Sprintf(" Viện kiểm sát nhận lúc %s.", received.In(domain.ICT).Format("15:04 "+dmy))
		c.ExplanationEN = c.NameEN + " (" + articleEN(r.Article) + "). " + due.ExplanationEN +
			fmt.Sprintf(" The procuracy received it at %s.", received.In(domain.ICT).Format("15:04 "+dmy))
		c.status(r, now)
		out = append(out, c)
	}
	return out
}
