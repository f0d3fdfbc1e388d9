package workflow

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kiemsat/domain"
)

// The rules added for the appeal and protest windows, the return to the court, the indictment's
// delivery and dispatch, the summary procedure, minors and the detention ladder: each case names
// the article it proves. Dates are fixed; now is always a parameter.

func lastDay(c Clock) string { return c.Due.Latest.LastDay.Format(time.DateOnly) }

func vnCalendar() *Calendar { return NewCalendar(DefaultCalendarDays(), true) }

// Arts. 333(1) and 337(1): 15 days to appeal, 15 days for the same-level procuracy and 30 for the
// directly higher one, from the pronouncement; a window ending on a day off rolls over to the next
// working day, through Tết 2026 (14–22/02/2026) and National Day 2026 (01–02/09/2026).
func TestAppealAndProtestWindowLengths(t *testing.T) {
	cal := vnCalendar()
	for _, c := range []struct {
		name                  string
		pronounced            time.Time
		appeal, same, higher  string
		appealRolled, hRolled bool
	}{
		{"Art. 333(1)/337(1) window ending in Tết 2026", date(2026, 2, 2), "2026-02-23", "2026-02-23", "2026-03-04", true, false},
		{"Art. 333(1)/337(1) from a month end (31/01) into Tết", date(2026, 1, 31), "2026-02-23", "2026-02-23", "2026-03-02", true, false},
		{"Art. 333(1)/337(1) leap year: 14/02/2028 + 15 days is 29/02/2028", date(2028, 2, 14), "2028-02-29", "2028-02-29", "2028-03-15", false, false},
		{"Art. 333(1)/337(1) window ending on National Day 2026", date(2026, 8, 18), "2026-09-03", "2026-09-03", "2026-09-17", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, class := range domain.SeverityClasses {
				s := newClockStory(class, domain.KindCase, c.pronounced.AddDate(0, -6, 0))
				s.add(c.pronounced, StepPronounce)
				clocks := Clocks(s.cs, cal, c.pronounced.Add(12*time.Hour))
				a, same, higher := clockOf(t, clocks, RuleAppealJudgment, 0), clockOf(t, clocks, RuleProtestSameLevel, 0), clockOf(t, clocks, RuleProtestHigherLevel, 0)
				if lastDay(a) != c.appeal || lastDay(same) != c.same || lastDay(higher) != c.higher || a.Due.Rolled != c.appealRolled || higher.Due.Rolled != c.hRolled {
					t.Errorf("%s: appeal %s (rolled %v), same level %s, higher %s (rolled %v); want %s, %s, %s\n%s", class, lastDay(a), a.Due.Rolled,
						lastDay(same), lastDay(higher), higher.Due.Rolled, c.appeal, c.same, c.higher, a.ExplanationVI)
				}
				if a.Status != ClockRunning || !strings.Contains(a.ExplanationVI, "Điều 333(1)") || !strings.Contains(higher.ExplanationVI, "Điều 337(1)") {
					t.Errorf("%s: %s %s", class, a.Status, a.ExplanationVI)
				}
			}
		})
	}
}

// Arts. 333(1), 335 and 337(1): a window is a right, not a duty. It is met by an appeal or a
// protest in time, and closes unused as cancelled (never missed); a late appeal leaves it closed.
func TestAppealAndProtestWindowStatuses(t *testing.T) {
	cal := vnCalendar()
	pronounced := date(2026, 3, 2) // appeal and same-level windows end Tuesday 17/03/2026, the higher one Wednesday 01/04/2026
	story := func() *clockStory {
		s := newClockStory(domain.ClassSerious, domain.KindCase, date(2025, 10, 1))
		s.add(pronounced, StepPronounce)
		return s
	}
	cases := []struct {
		name     string
		then     func(s *clockStory)
		now      time.Time
		rule     RuleID
		want     ClockStatus
		wantText string
	}{
		{"Art. 333(1) running on day 3", func(*clockStory) {}, date(2026, 3, 5), RuleAppealJudgment, ClockRunning, "Điều 333(1)"},
		{"Art. 333(1) due soon 3 days before the earliest reading", func(*clockStory) {}, date(2026, 3, 14), RuleAppealJudgment, ClockDueSoon, ""},
		{"Art. 333(1) still open on its last day", func(*clockStory) {}, date(2026, 3, 17).Add(23 * time.Hour), RuleAppealJudgment, ClockDueSoon, ""},
		{"Art. 333(1) closes unused at 24:00 of its last day: no violation", func(*clockStory) {}, date(2026, 3, 18), RuleAppealJudgment, ClockCancelled, "không phải vi phạm"},
		{"Art. 333(1) met by an appeal on the last day", func(s *clockStory) { s.add(date(2026, 3, 17), StepAppeal) }, date(2026, 4, 2), RuleAppealJudgment, ClockMet, ""},
		{"Art. 335 a late appeal does not reopen the window", func(s *clockStory) { s.add(date(2026, 3, 18), StepAppeal) }, date(2026, 4, 2), RuleAppealJudgment, ClockCancelled, "Điều 335"},
		{"Art. 337(1) same-level protest in time", func(s *clockStory) { s.add(date(2026, 3, 16), StepProtestAppeal) }, date(2026, 4, 2), RuleProtestSameLevel, ClockMet, ""},
		{"Art. 337(1) a protest on day 20 is the higher procuracy's", func(s *clockStory) { s.add(date(2026, 3, 22), StepProtestAppeal) }, date(2026, 4, 2), RuleProtestHigherLevel, ClockMet, ""},
		{"Art. 337(1) a protest on day 20 leaves the same-level window closed", func(s *clockStory) { s.add(date(2026, 3, 22), StepProtestAppeal) }, date(2026, 4, 2), RuleProtestSameLevel, ClockCancelled, "22/03/2026"},
		{"Art. 337(1) higher window open after the same-level one closed", func(*clockStory) {}, date(2026, 3, 20), RuleProtestHigherLevel, ClockRunning, ""},
		{"Art. 337(1) higher window closes unused after 30 days", func(*clockStory) {}, date(2026, 4, 2), RuleProtestHigherLevel, ClockCancelled, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := story()
			c.then(s)
			got := clockOf(t, Clocks(s.cs, cal, c.now), c.rule, 0)
			if got.Status != c.want || !strings.Contains(got.ExplanationVI, c.wantText) {
				t.Fatalf("%s at %s: %s, want %s with %q\n%s", c.rule, c.now.Format(time.DateOnly), got.Status, c.want, c.wantText, got.ExplanationVI)
			}
			if got.Status == ClockCancelled && (got.EndedOn == nil || !got.EndedOn.Equal(got.Due.Latest.Deadline)) {
				t.Errorf("a closed window ends at its latest deadline, got %v", got.EndedOn)
			}
		})
	}
	// A retrial's judgment after a cassation opens a fresh window, though the first one closed unused.
	s := story()
	s.add(date(2026, 9, 1), StepPronounce)
	clocks := Clocks(s.cs, cal, date(2026, 9, 2))
	if first, second := clockOf(t, clocks, RuleAppealJudgment, 0), clockOf(t, clocks, RuleAppealJudgment, 1); first.Status != ClockCancelled ||
		second.Status != ClockRunning || lastDay(second) != "2026-09-16" {
		t.Fatalf("Art. 333(1) after a retrial: first %s, second %s %s", first.Status, second.Status, lastDay(second))
	}
}

// Art. 277(2): the court that receives the file back after a supplementary investigation decides
// to bring the case to trial within 15 days; the full preparation period does not start again.
func TestTrialAfterReturn(t *testing.T) {
	cal := vnCalendar()
	for _, c := range []struct {
		name     string
		back     time.Time
		trial    time.Time
		now      time.Time
		last     string
		want     ClockStatus
		wantRoll bool
	}{
		{"Art. 277(2) ends on Saturday 02/05/2026 after the 30/4–1/5 holidays: rolls to Monday", date(2026, 4, 17), time.Time{}, date(2026, 4, 20), "2026-05-04", ClockRunning, true},
		{"Art. 277(2) met on the rolled last day", date(2026, 4, 17), date(2026, 5, 4), date(2026, 5, 6), "2026-05-04", ClockMet, true},
		{"Art. 277(2) met late the day after", date(2026, 4, 17), date(2026, 5, 5), date(2026, 5, 6), "2026-05-04", ClockMetLate, true},
		{"Art. 277(2) missed without a decision", date(2026, 4, 17), time.Time{}, date(2026, 5, 5), "2026-05-04", ClockMissed, true},
		{"Art. 277(2) from a month end, across Tết 2026", date(2026, 1, 31), time.Time{}, date(2026, 2, 1), "2026-02-23", ClockRunning, true},
		{"Art. 277(2) in a leap February", date(2028, 2, 14), time.Time{}, date(2028, 2, 15), "2028-02-29", ClockRunning, false},
	} {
		for _, class := range domain.SeverityClasses {
			t.Run(fmt.Sprintf("%s/%s", c.name, class), func(t *testing.T) {
				s := newClockStory(class, domain.KindCase, c.back.AddDate(0, -5, 0))
				s.add(c.back.AddDate(0, -1, 0), StepIndict)
				s.add(c.back.AddDate(0, 0, -20), StepReturnByCourt)
				s.add(c.back, StepResubmitToCourt)
				if !c.trial.IsZero() {
					s.add(c.trial, StepBringToTrial)
				}
				clocks := Clocks(s.cs, cal, c.now)
				got := clockOf(t, clocks, RuleTrialAfterReturn, 0)
				if lastDay(got) != c.last || got.Status != c.want || got.Due.Rolled != c.wantRoll || !strings.Contains(got.ExplanationVI, "Điều 277(2)") {
					t.Fatalf("%s %s, want %s %s\n%s", lastDay(got), got.Status, c.last, c.want, got.ExplanationVI)
				}
				for _, p := range clocks {
					if p.Rule == RuleTrialPreparation && !p.Start.Before(c.back) {
						t.Fatalf("a new Art. 277(1) preparation period started with the return: %+v", p)
					}
				}
			})
		}
	}
}

// Arts. 240(2)–(3) and 244: 3 days from the indictment to deliver it to the accused and to send
// the file to the court; day limits do not roll over, even into Tết. A court act before the
// dispatch was recorded shows it happened, on a day nobody knows: the clock closes as cancelled.
func TestIndictmentDeliveryAndFileToCourt(t *testing.T) {
	cal := vnCalendar()
	for _, c := range []struct {
		name  string
		rule  RuleID
		then  func(s *clockStory)
		now   time.Time
		last  string
		want  ClockStatus
		wantE string
	}{
		{"Art. 240(2) ends on Sunday 15/02/2026 in Tết, no roll-over", RuleIndictmentDelivery, func(*clockStory) {}, date(2026, 2, 14), "2026-02-15", ClockDueSoon, "Điều 240(2)–(3)"},
		{"Art. 240(2) missed the day after", RuleIndictmentDelivery, func(*clockStory) {}, date(2026, 2, 16), "2026-02-15", ClockMissed, ""},
		{"Art. 240(2) met by the delivery", RuleIndictmentDelivery, func(s *clockStory) { s.add(date(2026, 2, 13), StepDeliverIndictment) }, date(2026, 2, 16), "2026-02-15", ClockMet, ""},
		{"Art. 244 met late by the dispatch", RuleFileToCourt, func(s *clockStory) { s.add(date(2026, 2, 16), StepSendFileToCourt) }, date(2026, 2, 17), "2026-02-15", ClockMetLate, "Điều 244"},
		{"Art. 244 closed by the court's trial decision", RuleFileToCourt, func(s *clockStory) { s.add(date(2026, 3, 2), StepBringToTrial) }, date(2026, 3, 3), "2026-02-15", ClockCancelled, "không rõ ngày"},
		{"Art. 244 the dispatch recorded before the court acted stands", RuleFileToCourt, func(s *clockStory) {
			s.add(date(2026, 2, 12), StepSendFileToCourt)
			s.add(date(2026, 3, 2), StepBringToTrial)
		}, date(2026, 3, 3), "2026-02-15", ClockMet, ""},
	} {
		for _, class := range domain.SeverityClasses {
			t.Run(fmt.Sprintf("%s/%s", c.name, class), func(t *testing.T) {
				s := newClockStory(class, domain.KindCase, date(2025, 11, 3))
				s.add(date(2026, 2, 12), StepIndict)
				c.then(s)
				got := clockOf(t, Clocks(s.cs, cal, c.now), c.rule, 0)
				if lastDay(got) != c.last || got.Status != c.want || !strings.Contains(got.ExplanationVI, c.wantE) {
					t.Fatalf("%s %s, want %s %s with %q\n%s", lastDay(got), got.Status, c.last, c.want, c.wantE, got.ExplanationVI)
				}
			})
		}
	}
	// Month end: an indictment on Friday 30/01/2026 is delivered by Monday 02/02/2026.
	s := newClockStory(domain.ClassLessSerious, domain.KindCase, date(2025, 12, 1))
	s.add(date(2026, 1, 30), StepIndict)
	if got := clockOf(t, Clocks(s.cs, cal, date(2026, 1, 30)), RuleFileToCourt, 0); lastDay(got) != "2026-02-02" {
		t.Fatalf("Art. 244 from 30/01/2026: %s", lastDay(got))
	}
}

// Arts. 457–462: while the summary procedure applies, the investigation has 20 days from the
// institution (Điều 460(1)), the prosecution decision 5 days (Điều 461), the trial preparation 10
// and the opening 7 (Điều 462); the general clocks run on beside them. The procedure applies only
// to less serious crimes (Điều 456(1)(c)), so ÍNT is the class these tests use.
func TestSummaryProcedureClocks(t *testing.T) {
	cal := vnCalendar()
	s := newClockStory(domain.ClassLessSerious, domain.KindCase, date(2026, 3, 2))
	s.add(date(2026, 3, 3), StepApplySummary)
	clocks := Clocks(s.cs, cal, date(2026, 3, 4))
	// 02/03/2026 + 20 days is Sunday 22/03/2026: rolled to Monday 23/03/2026, as the general investigation is.
	inv := clockOf(t, clocks, RuleSummaryInvestigation, 0)
	if lastDay(inv) != "2026-03-23" || inv.Status != ClockRunning || !inv.Start.Equal(date(2026, 3, 2)) || !strings.Contains(inv.ExplanationVI, "Điều 460(1)") {
		t.Fatalf("Art. 460(1): %s %s from %s\n%s", lastDay(inv), inv.Status, inv.Start, inv.ExplanationVI)
	}
	if g := clockOf(t, clocks, RuleInvestigation, 0); g.Status != ClockRunning || lastDay(g) != "2026-05-04" {
		t.Fatalf("the general Art. 172 clock runs on: %s %s", lastDay(g), g.Status)
	}
	s.add(date(2026, 3, 20), StepConcludeInvestigation)
	s.add(date(2026, 3, 24), StepIndict)
	s.add(date(2026, 4, 2), StepBringToTrial)
	clocks = Clocks(s.cs, cal, date(2026, 4, 3))
	for _, c := range []struct {
		rule  RuleID
		last  string
		want  ClockStatus
		lawOf string
	}{
		{RuleSummaryInvestigation, "2026-03-23", ClockMet, "Điều 460(1)"},
		{RuleSummaryProsecution, "2026-03-25", ClockMet, "Điều 461"},      // 20/03 + 5 days
		{RuleSummaryTrialPrep, "2026-04-03", ClockMet, "Điều 462"},        // 24/03 + 10 days
		{RuleSummaryTrialOpening, "2026-04-09", ClockRunning, "Điều 462"}, // 02/04 + 7 days
	} {
		got := clockOf(t, clocks, c.rule, 0)
		if lastDay(got) != c.last || got.Status != c.want || !strings.Contains(got.ExplanationVI, c.lawOf) {
			t.Errorf("%s (%s): %s %s, want %s %s\n%s", c.rule, c.lawOf, lastDay(got), got.Status, c.last, c.want, got.ExplanationVI)
		}
	}
	// A case never under the summary procedure has no summary clock.
	plain := newClockStory(domain.ClassLessSerious, domain.KindCase, date(2026, 3, 2))
	for _, c := range Clocks(plain.cs, cal, date(2026, 3, 4)) {
		if r, _ := RuleByID(c.Rule); r.Shortens != "" {
			t.Fatalf("a summary clock without the summary procedure: %s", c.Rule)
		}
	}
}

// Art. 458: cancelling the summary procedure closes the shortened clock and the general limit
// continues; cancelling it only after the shortened limit ran out does not hide the breach.
func TestSummaryProcedureCancelled(t *testing.T) {
	cal := vnCalendar()
	for _, c := range []struct {
		name   string
		cancel time.Time
		want   ClockStatus
	}{
		{"Art. 458 cancelled in time", date(2026, 3, 10), ClockCancelled},
		{"Art. 458 cancelled on the last day", date(2026, 3, 23), ClockCancelled},
		{"Art. 458 cancelled after the 20 days of Art. 460(1)", date(2026, 3, 24), ClockMetLate},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newClockStory(domain.ClassLessSerious, domain.KindCase, date(2026, 3, 2))
			s.add(date(2026, 3, 3), StepApplySummary)
			s.add(c.cancel, StepCancelSummary)
			clocks := Clocks(s.cs, cal, date(2026, 4, 1))
			got := clockOf(t, clocks, RuleSummaryInvestigation, 0)
			if got.Status != c.want || got.EndedOn == nil || !got.EndedOn.Equal(c.cancel) || !strings.Contains(got.ExplanationVI, "Điều 458") {
				t.Fatalf("%s ended %v\n%s", got.Status, got.EndedOn, got.ExplanationVI)
			}
			if g := clockOf(t, clocks, RuleInvestigation, 0); g.Status != ClockRunning || lastDay(g) != "2026-05-04" {
				t.Fatalf("the general Art. 172 limit continues: %s %s", lastDay(g), g.Status)
			}
		})
	}
}

// Arts. 456, 461: applied only at the prosecution stage, the 5 days count from the application,
// since the file was received before; an application in Tết 2026 ends in it (no roll-over).
func TestSummaryAppliedAtProsecution(t *testing.T) {
	cal := vnCalendar()
	s := newClockStory(domain.ClassLessSerious, domain.KindCase, date(2025, 12, 1))
	s.add(date(2026, 2, 2), StepConcludeInvestigation)
	s.add(date(2026, 2, 10), StepApplySummary)
	clocks := Clocks(s.cs, cal, date(2026, 2, 11))
	got := clockOf(t, clocks, RuleSummaryProsecution, 0)
	if !got.Start.Equal(date(2026, 2, 10)) || lastDay(got) != "2026-02-15" || got.Due.Rolled || !strings.Contains(got.ExplanationVI, "quyết định áp dụng") {
		t.Fatalf("Art. 461 from the application: start %s last %s rolled %v\n%s", got.Start, lastDay(got), got.Due.Rolled, got.ExplanationVI)
	}
	for _, c := range clocks {
		if c.Rule == RuleSummaryInvestigation {
			t.Fatalf("the investigation had ended before the summary procedure applied: %+v", c)
		}
	}
}

func measureAt(id string, kind domain.MeasureKind, stage domain.MeasureStage, start time.Time, end time.Time, status domain.MeasureStatus) domain.Measure {
	return domain.Measure{ID: id, Kind: kind, Stage: stage, StartAt: start.Add(10 * time.Hour), OrderedEnd: &end, Status: status}
}

// Art. 419: the custody and detention of a person under 18 last at most 2/3 of the adult limits,
// applied to the computed maximum; an adult and a person with no birth date keep the full limits.
func TestJuvenileLimits(t *testing.T) {
	cal := vnCalendar()
	minorBirth, adultBirth := date(2009, 6, 15), date(1990, 1, 1)
	for _, c := range []struct {
		name         string
		birth        *time.Time
		class        domain.SeverityClass
		custody, det string // LegalMax last days
	}{
		{"Art. 419 minor NT: custody 2 days, detention 60 days", &minorBirth, domain.ClassSerious, "2026-03-03", "2026-05-04"},
		{"Art. 419 minor ĐBNT: detention 80 days", &minorBirth, domain.ClassParticularlySerious, "2026-03-03", "2026-05-24"},
		{"Art. 419 minor ÍNT: detention 40 days", &minorBirth, domain.ClassLessSerious, "2026-03-03", "2026-04-14"},
		{"Art. 173(1) adult NT: 90 days", &adultBirth, domain.ClassSerious, "2026-03-04", "2026-06-03"},
		{"Art. 173(1) unknown birth date: adult limits", nil, domain.ClassSerious, "2026-03-04", "2026-06-03"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Registered as a report: no investigation clock caps the detention here.
			s := newClockStory(c.class, domain.KindReport, date(2026, 2, 25))
			s.cs.Accused = []domain.Accused{{ID: "a1", Status: domain.AccusedInstituted, BirthDate: c.birth, OffenceDate: date(2026, 2, 28), Measures: []domain.Measure{
				// A 3-day custody order, first refused so that no custody day is credited to the detention.
				measureAt("m1", domain.MeasureCustody, "", date(2026, 3, 1), date(2026, 3, 4), domain.MeasureActive),
				measureAt("m2", domain.MeasureDetention, domain.MeasureForInvestigation, date(2026, 3, 5), date(2026, 4, 1), domain.MeasureActive),
			}}}
			s.cs.Accused[0].Measures[0].Status = domain.MeasureRefused
			clocks := Clocks(s.cs, cal, date(2026, 3, 6))
			det := clockOf(t, clocks, RuleDetentionPeriod, 0)
			if det.LegalMax == nil || det.LegalMax.Latest.LastDay.Format(time.DateOnly) != c.det {
				t.Fatalf("detention maximum %v, want %s\n%s", det.LegalMax, c.det, det.ExplanationVI)
			}
			if minor := c.birth == &minorBirth; minor != strings.Contains(det.ExplanationVI, "Điều 419") {
				t.Errorf("minor %v, explanation: %s", minor, det.ExplanationVI)
			}
			s.cs.Accused[0].Measures[0].Status = domain.MeasureActive
			s.cs.Accused[0].Measures = s.cs.Accused[0].Measures[:1]
			cu := clockOf(t, Clocks(s.cs, cal, date(2026, 3, 2)), RuleCustodyPeriod, 0)
			if cu.LegalMax == nil || cu.LegalMax.Latest.LastDay.Format(time.DateOnly) != c.custody {
				t.Fatalf("Art. 118/419 custody maximum %v, want %s\n%s", cu.LegalMax, c.custody, cu.ExplanationVI)
			}
			if c.birth == &minorBirth && !strings.Contains(cu.ExplanationVI, "vượt quá") {
				t.Errorf("a minor's 3-day custody order outlasts the 2-day maximum and must say so: %s", cu.ExplanationVI)
			}
		})
	}
}

// Art. 173(2)–(4): the total detention for the investigation with every extension is ÍNT 3
// months, NT 5, RNT 7, ĐBNT 12 (a month is 30 days), from the first detention, less the custody
// days (Art. 118(4)). Custody 28–30/01/2026 (3 days), detention from Saturday 31/01/2026.
func TestDetentionLadderByClass(t *testing.T) {
	cal := vnCalendar()
	for _, c := range []struct {
		class        domain.SeverityClass
		first, total string // the first order's maximum (less custody) and the ladder's end
		rungs        int
	}{
		{domain.ClassLessSerious, "2026-03-29", "2026-04-28", 1},         // 60−3 and 90−3 days
		{domain.ClassSerious, "2026-04-28", "2026-06-27", 1},             // 90−3 and 150−3
		{domain.ClassVerySerious, "2026-05-28", "2026-08-26", 1},         // 120−3 and 210−3
		{domain.ClassParticularlySerious, "2026-05-28", "2027-01-23", 2}, // 120−3 and 360−3
	} {
		t.Run("Art. 173(2)–(4) "+string(c.class), func(t *testing.T) {
			s := newClockStory(c.class, domain.KindCase, date(2026, 1, 28))
			s.cs.Accused = []domain.Accused{{ID: "a1", Status: domain.AccusedInstituted, Measures: []domain.Measure{
				measureAt("m1", domain.MeasureCustody, "", date(2026, 1, 28), date(2026, 1, 30), domain.MeasureEnded),
				measureAt("m2", domain.MeasureDetention, domain.MeasureForInvestigation, date(2026, 1, 31), date(2026, 3, 20), domain.MeasureEnded),
				measureAt("m3", domain.MeasureDetention, domain.MeasureForInvestigation, date(2026, 3, 21), date(2028, 12, 31), domain.MeasureActive),
			}}}
			s.cs.Accused[0].Measures[2].ExtendsID, s.cs.Accused[0].Measures[2].ExtensionNo = "m2", 1
			// Extend the investigation to its full ladder, so that the ladder, not the investigation, binds.
			for range InvestigationExtensionsAllowed(s.cs) {
				s.add(date(2026, 3, 1), StepExtendInvestigation)
			}
			clocks := Clocks(s.cs, cal, date(2026, 3, 22))
			first, ext := clockOf(t, clocks, RuleDetentionPeriod, 0), clockOf(t, clocks, RuleDetentionPeriod, 1)
			if first.LegalMax.Latest.LastDay.Format(time.DateOnly) != c.first || !strings.Contains(first.ExplanationVI, "đã trừ") {
				t.Errorf("first order: maximum %s, want %s\n%s", first.LegalMax.Latest.LastDay.Format(time.DateOnly), c.first, first.ExplanationVI)
			}
			total, _ := time.ParseInLocation(time.DateOnly, c.total, domain.ICT)
			if got := ext.LegalMax.Latest.LastDay.Format(time.DateOnly); got > c.total || !strings.Contains(ext.ExplanationVI, "Điều 173(2)–(4)") ||
				!strings.Contains(ext.ExplanationVI, total.Format(dmy)) || !strings.Contains(ext.ExplanationVI, "vượt quá") {
				t.Errorf("extension: maximum %s, ladder end %s\n%s", got, c.total, ext.ExplanationVI)
			}
			if ext.ExtensionsLeft != c.rungs-1 || ext.Due.Latest.LastDay.Format(time.DateOnly) != "2028-12-31" {
				t.Errorf("extension: %d extensions left, due %s (the order's end)", ext.ExtensionsLeft, lastDay(ext))
			}
		})
	}
}

// Art. 173 and TTLT 04/2018 Art. 14(3): detention for the investigation may not outlast the
// investigation time left. The clock stays on the order's end; its legal maximum and explanation
// show the cap, which moves with an extension of the investigation.
func TestDetentionCappedByInvestigation(t *testing.T) {
	cal := vnCalendar()
	for _, c := range []struct {
		name       string
		registered time.Time
		order      time.Time
		end        time.Time
		extended   bool
		max        string
		outlasts   bool
	}{
		// ÍNT registered 02/03/2026: the investigation ends Monday 04/05/2026 (02/05 is a Saturday).
		{"TTLT 04/2018 Art. 14(3) accused added late", date(2026, 3, 2), date(2026, 4, 20), date(2026, 6, 19), false, "2026-05-04", true},
		// Extended by 2 months: 04/07/2026 is a Saturday, rolled to 06/07; the order's own maximum (19/06) binds.
		{"TTLT 04/2018 Art. 14(3) after the Art. 172 extension", date(2026, 3, 2), date(2026, 4, 20), date(2026, 6, 19), true, "2026-06-19", false},
		// Month end: registered 31/12/2025, 2 months is 28/02/2026, a Saturday: rolled to Monday 02/03/2026.
		{"TTLT 04/2018 Art. 14(3) from 31/12 + 2 months", date(2025, 12, 31), date(2026, 2, 10), date(2026, 4, 10), false, "2026-03-02", true},
		{"TTLT 04/2018 Art. 14(3) an order within the time left", date(2025, 12, 31), date(2026, 2, 10), date(2026, 3, 2), false, "2026-03-02", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newClockStory(domain.ClassLessSerious, domain.KindCase, c.registered)
			if c.extended {
				s.add(c.order, StepExtendInvestigation)
			}
			s.cs.Accused = []domain.Accused{{ID: "a1", Status: domain.AccusedInstituted, Measures: []domain.Measure{
				measureAt("m1", domain.MeasureDetention, domain.MeasureForInvestigation, c.order, c.end, domain.MeasureActive)}}}
			d := clockOf(t, Clocks(s.cs, cal, c.order.AddDate(0, 0, 1)), RuleDetentionPeriod, 0)
			if d.LegalMax == nil || d.LegalMax.Latest.LastDay.Format(time.DateOnly) != c.max || !d.Due.Latest.LastDay.Equal(c.end) {
				t.Fatalf("maximum %v, due %s; want maximum %s, due the order's end %s\n%s", d.LegalMax, lastDay(d), c.max, c.end.Format(time.DateOnly), d.ExplanationVI)
			}
			if !strings.Contains(d.ExplanationVI, "Điều 14(3) TTLT 04/2018") || strings.Contains(d.ExplanationVI, "vượt quá") != c.outlasts {
				t.Fatalf("explanation (outlasts %v): %s", c.outlasts, d.ExplanationVI)
			}
		})
	}
}

// Art. 459: under the summary procedure a detention order for the investigation lasts at most 20
// days (5 for the prosecution, 17 for the trial); an adult's ladder total does not apply.
func TestSummaryDetention(t *testing.T) {
	cal := vnCalendar()
	for _, c := range []struct {
		stage domain.MeasureStage
		max   string
	}{
		{domain.MeasureForInvestigation, "2026-03-25"},
		{domain.MeasureForProsecution, "2026-03-10"},
		{domain.MeasureForTrial, "2026-03-22"},
	} {
		t.Run("Art. 459 "+string(c.stage), func(t *testing.T) {
			s := newClockStory(domain.ClassLessSerious, domain.KindCase, date(2026, 3, 2))
			s.add(date(2026, 3, 3), StepApplySummary)
			s.cs.Accused = []domain.Accused{{ID: "a1", Status: domain.AccusedInstituted, Measures: []domain.Measure{
				measureAt("m1", domain.MeasureDetention, c.stage, date(2026, 3, 5), date(2026, 3, 24), domain.MeasureActive)}}}
			d := clockOf(t, Clocks(s.cs, cal, date(2026, 3, 6)), RuleDetentionPeriod, 0)
			if got := d.LegalMax.Latest.LastDay.Format(time.DateOnly); got > c.max || !strings.Contains(d.ExplanationVI, "Điều 459") {
				t.Fatalf("maximum %s, want at most %s\n%s", got, c.max, d.ExplanationVI)
			}
		})
	}
}
