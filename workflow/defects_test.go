package workflow

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"kiemsat/domain"
)

// defectCase builds a case's record for the defect checker: a serious case of unit 7, decisions
// numbered in recording order.
type defectCase struct{ cs *CaseState }

func newDefectCase() *defectCase {
	return &defectCase{cs: &CaseState{ID: "c1", Kind: domain.KindCase, RegisteredAs: domain.KindCase, UnitID: 7,
		ReceivedAt: date(2026, 1, 5), Class: domain.ClassSerious, Stage: domain.StageInvestigation}}
}

// dec records a decision in force, issued and effective on the same day by the body the
// transition table names first.
func (b *defectCase) dec(id string, step domain.Step, on time.Time, opts ...func(*domain.Decision)) *defectCase {
	issuer := domain.IssuerInvestigation
	if t, ok := ByStep(step); ok {
		issuer = t.Issuers[0]
	}
	d := domain.Decision{ID: id, CaseID: b.cs.ID, Seq: len(b.cs.Decisions) + 1, Step: step, Issuer: issuer, IssuedOn: on, EffectiveOn: on,
		RecordedAt: on.Add(9 * time.Hour), UnitID: 7, Status: domain.DecisionEffective}
	for _, o := range opts {
		o(&d)
	}
	b.cs.Decisions = append(b.cs.Decisions, d)
	return b
}

func withStatus(s domain.DecisionStatus) func(*domain.Decision) {
	return func(d *domain.Decision) { d.Status = s }
}

func withUnit(u int64) func(*domain.Decision) { return func(d *domain.Decision) { d.UnitID = u } }

func returnedBy(who string) func(*domain.Decision) {
	return func(d *domain.Decision) { d.ReturnedBy = who }
}

func supersedes(id string) func(*domain.Decision) {
	return func(d *domain.Decision) { d.SupersedesID = id }
}

// answer records the procuracy's answer to a pending decision.
func (b *defectCase) answer(id, decides string, on time.Time, o domain.Outcome) *defectCase {
	return b.dec(id, "decide_approval", on, func(d *domain.Decision) {
		d.DecidesID, d.Outcome, d.Issuer = decides, o, domain.IssuerProcuracy
	})
}

// accused adds an accused with one measure ordered by decision order.
func (b *defectCase) measure(m domain.Measure) *defectCase {
	if len(b.cs.Accused) == 0 {
		b.cs.Accused = []domain.Accused{{ID: "a1", CaseID: "c1", FullName: "Nguyễn Văn A", Status: domain.AccusedInstituted}}
	}
	m.AccusedID = "a1"
	b.cs.Accused[0].Measures = append(b.cs.Accused[0].Measures, m)
	return b
}

func at(y, mo, d, h int) time.Time { return time.Date(y, time.Month(mo), d, h, 0, 0, 0, domain.ICT) }

func tptr(t time.Time) *time.Time { return &t }

// An approved detention order, with its measure, as the service records them.
func approvedDetention(b *defectCase, end time.Time, status domain.MeasureStatus) *defectCase {
	return b.dec("det", StepDetention, date(2026, 3, 2), func(d *domain.Decision) {
		d.RequiresApproval, d.Status, d.MeasureID, d.AccusedIDs = true, domain.DecisionApproved, "m1", []string{"a1"}
	}).answer("ok", "det", date(2026, 3, 3), domain.OutcomeApprove).
		measure(domain.Measure{ID: "m1", Kind: domain.MeasureDetention, StartAt: at(2026, 3, 3, 10), OrderedEnd: &end, DecisionID: "det", Status: status})
}

type defectTest struct {
	name    string
	code    DefectCode
	article string // the article the finding names (finding cases), or the rule the clean case obeys
	build   func() *CaseState
	now     time.Time
	// found: the case must produce a finding of code; otherwise it must produce none of it.
	found    bool
	severity FindingSeverity
	remedy   Remedy
	ids      []string // decision ids the finding names, in order
	measure  string
}

var defectNow = at(2026, 6, 1, 12)

var defectTests = []defectTest{
	// Date order: Điều 243 BLTTHS — the procuracy indicts on the investigation conclusion, so the
	// indictment cannot take effect before it.
	{name: "indictment dated before the conclusion", code: DefectDateBeforePrerequisite, article: "Điều 243 BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyNone, ids: []string{"ind", "kl"},
		build: func() *CaseState {
			return newDefectCase().dec("kt", StepInstituteCase, date(2026, 1, 5)).dec("kl", StepConcludeInvestigation, date(2026, 4, 10)).
				dec("ind", StepIndict, date(2026, 4, 8)).cs
		}},
	{name: "indictment after the conclusion", code: DefectDateBeforePrerequisite, article: "Điều 243 BLTTHS",
		build: func() *CaseState {
			return newDefectCase().dec("kt", StepInstituteCase, date(2026, 1, 5)).dec("kl", StepConcludeInvestigation, date(2026, 4, 10)).
				dec("ind", StepIndict, date(2026, 4, 10)).cs
		}},
	// Điều 235 BLTTHS: a resumption of the investigation by the investigating body, dated before the
	// suspension it lifts; a recommendation to the body that issued it.
	{name: "resumption before the suspension", code: DefectDateBeforePrerequisite, article: "Điều 235 BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyRecommendation, ids: []string{"ph", "tdc"},
		build: func() *CaseState {
			return newDefectCase().dec("tdc", StepSuspendInvestigation, date(2026, 3, 2)).dec("ph", StepResumeInvestigation, date(2026, 2, 27)).cs
		}},
	// A superseded indictment carries no finding: its correction is dated after the conclusion.
	{name: "corrected indictment", code: DefectDateBeforePrerequisite, article: "Điều 243 BLTTHS",
		build: func() *CaseState {
			return newDefectCase().dec("kl", StepConcludeInvestigation, date(2026, 4, 10)).
				dec("ind", StepIndict, date(2026, 4, 8), withStatus(domain.DecisionSuperseded)).
				dec("ind2", StepIndict, date(2026, 4, 12), supersedes("ind")).cs
		}},

	// Điều 134 BLTTHS, Điều 119: a detention order written to end before it starts.
	{name: "detention order ends before it starts", code: DefectMeasureEndsBeforeStart, article: "Điều 119 BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyRequest, ids: []string{"det"}, measure: "m1",
		build: func() *CaseState {
			return approvedDetention(newDefectCase(), date(2026, 3, 1), domain.MeasureActive).cs
		}},
	{name: "custody released before it started", code: DefectMeasureEndsBeforeStart, article: "Điều 117, 118(1) BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyRequest, ids: []string{"tg"}, measure: "m2",
		build: func() *CaseState {
			return newDefectCase().dec("tg", StepCustody, date(2026, 3, 1), func(d *domain.Decision) { d.MeasureID = "m2" }).
				measure(domain.Measure{ID: "m2", Kind: domain.MeasureCustody, StartAt: at(2026, 3, 1, 10), OrderedEnd: tptr(date(2026, 3, 3)),
					EndedAt: tptr(at(2026, 3, 1, 8)), DecisionID: "tg", Status: domain.MeasureEnded}).cs
		}},
	{name: "detention order in order", code: DefectMeasureEndsBeforeStart, article: "Điều 119 BLTTHS",
		build: func() *CaseState {
			return approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureActive).cs
		}},

	// Điều 119(5) BLTTHS: the procuracy approves an order it has received, so not before its date.
	{name: "approval before the order", code: DefectApprovalBeforeDecision, article: "Điều 119(5) BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyNone, ids: []string{"ok", "det"}, measure: "m1",
		build: func() *CaseState {
			b := approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureActive)
			b.cs.Decisions[1].IssuedOn = date(2026, 3, 1)
			return b.cs
		}},
	{name: "approval after the order", code: DefectApprovalBeforeDecision, article: "Điều 119(5) BLTTHS",
		build: func() *CaseState {
			return approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureActive).cs
		}},

	// Điều 119(5) BLTTHS: a detention order of the investigating body is executed only once approved.
	{name: "detention executed while pending", code: DefectMeasureWithoutApproval, article: "Điều 119(5) BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyRequest, ids: []string{"det"}, measure: "m1",
		build: func() *CaseState {
			return newDefectCase().dec("det", StepDetention, date(2026, 3, 2), func(d *domain.Decision) {
				d.RequiresApproval, d.Status, d.MeasureID = true, domain.DecisionPending, "m1"
			}).measure(domain.Measure{ID: "m1", Kind: domain.MeasureDetention, StartAt: at(2026, 3, 2, 10), OrderedEnd: tptr(date(2026, 5, 31)),
				DecisionID: "det", Status: domain.MeasureActive}).cs
		}},
	// Điều 118(3) BLTTHS: a custody extension refused by the procuracy, yet the person is still held.
	{name: "custody extension refused but executed", code: DefectMeasureWithoutApproval, article: "Điều 118(3) BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyRequest, ids: []string{"gh"}, measure: "m2",
		build: func() *CaseState {
			return newDefectCase().dec("gh", StepExtendCustody, date(2026, 3, 4), func(d *domain.Decision) {
				d.RequiresApproval, d.Status, d.MeasureID = true, domain.DecisionRefused, "m2"
			}).answer("no", "gh", date(2026, 3, 4), domain.OutcomeRefuse).
				measure(domain.Measure{ID: "m2", Kind: domain.MeasureCustody, StartAt: at(2026, 3, 4, 0), OrderedEnd: tptr(date(2026, 3, 6)),
					DecisionID: "gh", ExtensionNo: 1, Status: domain.MeasureActive}).cs
		}},
	// Điều 110(6) BLTTHS: an urgent holding is executed at once and approved within 12 hours.
	{name: "urgent holding awaiting approval", code: DefectMeasureWithoutApproval, article: "Điều 110(5)–(6) BLTTHS",
		build: func() *CaseState {
			return newDefectCase().dec("gk", StepUrgentHold, date(2026, 3, 2), func(d *domain.Decision) {
				d.RequiresApproval, d.Status, d.MeasureID = true, domain.DecisionPending, "m4"
			}).measure(domain.Measure{ID: "m4", Kind: domain.MeasureUrgentHold, StartAt: at(2026, 3, 2, 20), DecisionID: "gk", Status: domain.MeasureActive}).cs
		}},
	{name: "urgent holding refused, person still held", code: DefectMeasureWithoutApproval, article: "Điều 110(5)–(6) BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyRequest, ids: []string{"gk"}, measure: "m4",
		build: func() *CaseState {
			return newDefectCase().dec("gk", StepUrgentHold, date(2026, 3, 2), func(d *domain.Decision) {
				d.RequiresApproval, d.Status, d.MeasureID = true, domain.DecisionRefused, "m4"
			}).answer("no", "gk", date(2026, 3, 3), domain.OutcomeRefuse).
				measure(domain.Measure{ID: "m4", Kind: domain.MeasureUrgentHold, StartAt: at(2026, 3, 2, 20), DecisionID: "gk", Status: domain.MeasureActive}).cs
		}},
	{name: "approved detention", code: DefectMeasureWithoutApproval, article: "Điều 119(5) BLTTHS",
		build: func() *CaseState {
			return approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureActive).cs
		}},
	// Điều 119 BLTTHS: the procuracy's own detention order needs no approval.
	{name: "procuracy's detention order", code: DefectMeasureWithoutApproval, article: "Điều 119 BLTTHS",
		build: func() *CaseState {
			return newDefectCase().dec("det", StepDetention, date(2026, 3, 2), func(d *domain.Decision) {
				d.Issuer, d.MeasureID = domain.IssuerProcuracy, "m1"
			}).measure(domain.Measure{ID: "m1", Kind: domain.MeasureDetention, StartAt: at(2026, 3, 2, 10), OrderedEnd: tptr(date(2026, 5, 31)),
				DecisionID: "det", Status: domain.MeasureActive}).cs
		}},
	// A corrected approved order: the correction carries no approval of its own, the original's counts.
	{name: "approved order since corrected", code: DefectMeasureWithoutApproval, article: "Điều 119(5) BLTTHS",
		build: func() *CaseState {
			b := approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureActive)
			b.cs.Decisions[0].Status = domain.DecisionSuperseded
			return b.dec("det2", StepDetention, date(2026, 3, 2), supersedes("det")).cs
		}},

	// Điều 134(2) BLTTHS: detention ends at 24:00 of the ordered end date; one minute later the
	// person is held unlawfully.
	{name: "held a minute past the order", code: DefectHeldPastOrderedEnd, article: "Điều 134(2) BLTTHS", found: true, now: at(2026, 6, 1, 0).Add(time.Minute),
		severity: SeverityViolation, remedy: RemedyRequest, ids: []string{"det"}, measure: "m1",
		build: func() *CaseState {
			return approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureActive).cs
		}},
	{name: "last evening of the order", code: DefectHeldPastOrderedEnd, article: "Điều 134(2) BLTTHS", now: at(2026, 5, 31, 23),
		build: func() *CaseState {
			return approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureActive).cs
		}},
	{name: "released on time", code: DefectHeldPastOrderedEnd, article: "Điều 134(2) BLTTHS", now: at(2026, 6, 5, 0),
		build: func() *CaseState {
			return approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureEnded).cs
		}},
	// Continued by an approved extension whose record the old order has not caught up with.
	{name: "continued by an extension", code: DefectHeldPastOrderedEnd, article: "Điều 134(2) BLTTHS", now: at(2026, 6, 5, 0),
		build: func() *CaseState {
			return approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureActive).
				measure(domain.Measure{ID: "m3", Kind: domain.MeasureDetention, StartAt: date(2026, 6, 1), OrderedEnd: tptr(date(2026, 7, 30)),
					ExtendsID: "m1", ExtensionNo: 1, Status: domain.MeasureActive}).cs
		}},

	// Điều 241 BLTTHS: the detention order m1 ends on 31/05/2026; the order that continues it for
	// the prosecution comes by 26/05/2026.
	{name: "prosecution detention ordered 3 days before the old order ends", code: DefectLateDetentionRenewal, article: "Điều 241 BLTTHS",
		found: true, severity: SeverityViolation, remedy: RemedyNone, ids: []string{"det2"}, measure: "m3", now: at(2026, 6, 2, 9),
		build: func() *CaseState { return prosecutionRenewal(date(2026, 5, 28)) }},
	{name: "prosecution detention ordered 5 days before the old order ends", code: DefectLateDetentionRenewal, article: "Điều 241 BLTTHS",
		now: at(2026, 6, 2, 9), build: func() *CaseState { return prosecutionRenewal(date(2026, 5, 26)) }},

	// Điều 240(1), 243 BLTTHS: no indictment without the investigation conclusion.
	{name: "indictment with no conclusion", code: DefectIndictmentWithoutConclusion, article: "Điều 240(1), 243 BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyNone, ids: []string{"ind"},
		build: func() *CaseState {
			return newDefectCase().dec("kt", StepInstituteCase, date(2026, 1, 5)).dec("ind", StepIndict, date(2026, 4, 8)).cs
		}},
	// The only conclusion was cancelled: it is not in force.
	{name: "indictment on a cancelled conclusion", code: DefectIndictmentWithoutConclusion, article: "Điều 240(1), 243 BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyNone, ids: []string{"ind"},
		build: func() *CaseState {
			return newDefectCase().dec("kl", StepConcludeInvestigation, date(2026, 4, 1), withStatus(domain.DecisionCancelled)).
				dec("ind", StepIndict, date(2026, 4, 8)).cs
		}},
	{name: "indictment on the supplementary conclusion", code: DefectIndictmentWithoutConclusion, article: "Điều 240(1), 243 BLTTHS",
		build: func() *CaseState {
			return newDefectCase().dec("kl", StepConcludeInvestigation, date(2026, 4, 1), withStatus(domain.DecisionSuperseded)).
				dec("bs", StepConcludeSupplementary, date(2026, 6, 1)).dec("ind", StepIndict, date(2026, 6, 8)).cs
		}},
	// A cancelled indictment is not judged.
	{name: "cancelled indictment", code: DefectIndictmentWithoutConclusion, article: "Điều 240(1), 243 BLTTHS",
		build: func() *CaseState {
			return newDefectCase().dec("ind", StepIndict, date(2026, 4, 8), withStatus(domain.DecisionCancelled)).cs
		}},

	// Điều 174(2) BLTTHS: the procuracy returns a file at most twice.
	{name: "third return by the procuracy", code: DefectTooManyReturns, article: "Điều 174(2) BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyNone, ids: []string{"r3"},
		build: func() *CaseState {
			return newDefectCase().dec("r1", StepReturnByProcuracy, date(2026, 2, 2)).dec("r2", StepReturnByProcuracy, date(2026, 4, 1)).
				dec("r3", StepReturnByProcuracy, date(2026, 6, 1)).cs
		}},
	// Điều 174(2) BLTTHS: the presiding judge returns a file once.
	{name: "second return by the presiding judge", code: DefectTooManyReturns, article: "Điều 174(2) BLTTHS", found: true,
		severity: SeverityViolation, remedy: RemedyNone, ids: []string{"t2"},
		build: func() *CaseState {
			return newDefectCase().dec("t1", StepReturnByCourt, date(2026, 2, 2), returnedBy(ReturnedByJudge)).
				dec("t2", StepReturnByCourt, date(2026, 4, 1), returnedBy(ReturnedByJudge)).cs
		}},
	// Twice by the procuracy, once each by the judge and the panel; a refused or superseded extra
	// return does not count.
	{name: "returns within the limits", code: DefectTooManyReturns, article: "Điều 174(2) BLTTHS",
		build: func() *CaseState {
			return newDefectCase().dec("r1", StepReturnByProcuracy, date(2026, 2, 2)).dec("r2", StepReturnByProcuracy, date(2026, 3, 2)).
				dec("r3", StepReturnByProcuracy, date(2026, 3, 3), withStatus(domain.DecisionSuperseded)).
				dec("t1", StepReturnByCourt, date(2026, 4, 1), returnedBy(ReturnedByJudge)).
				dec("t2", StepReturnByCourt, date(2026, 5, 4), returnedBy(ReturnedByPanel)).cs
		}},

	// Điều 163, 239 BLTTHS: a decision recorded under a unit that was not in charge of the case.
	{name: "decision of another unit", code: DefectUnitWithoutCompetence, article: "Điều 163, 239 BLTTHS", found: true,
		severity: SeverityWarning, remedy: RemedyNone, ids: []string{"gh"},
		build: func() *CaseState {
			return newDefectCase().dec("kt", StepInstituteCase, date(2026, 1, 5)).dec("gh", StepExtendInvestigation, date(2026, 3, 20), withUnit(9)).cs
		}},
	// After a transfer to unit 9, a decision still recorded under unit 7.
	{name: "sending unit acts after the transfer", code: DefectUnitWithoutCompetence, article: "Điều 163, 239 BLTTHS", found: true,
		severity: SeverityWarning, remedy: RemedyNone, ids: []string{"gh"},
		build: func() *CaseState {
			b := newDefectCase()
			b.cs.UnitID = 9
			return b.dec("kt", StepInstituteCase, date(2026, 1, 5)).dec("cv", StepTransfer, date(2026, 2, 2), func(d *domain.Decision) { d.TargetUnitID = 9 }).
				dec("gh", StepExtendInvestigation, date(2026, 3, 20)).cs
		}},
	// Before the transfer unit 7 is in charge, after it unit 9; a cassation protest may come from a
	// unit above (the table's Levels); a decision with no unit recorded is not judged.
	{name: "units follow the transfer", code: DefectUnitWithoutCompetence, article: "Điều 163, 239 BLTTHS",
		build: func() *CaseState {
			b := newDefectCase()
			b.cs.UnitID = 9
			return b.dec("kt", StepInstituteCase, date(2026, 1, 5)).dec("cv", StepTransfer, date(2026, 2, 2), func(d *domain.Decision) { d.TargetUnitID = 9 }).
				dec("gh", StepExtendInvestigation, date(2026, 3, 20), withUnit(9)).dec("old", StepSuspendInvestigation, date(2026, 3, 21), withUnit(0)).
				dec("gdt", StepProtestCassation, date(2026, 5, 2), withUnit(1)).cs
		}},
}

func TestDefects(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	for _, tc := range defectTests {
		t.Run(string(tc.code)+"/"+tc.name, func(t *testing.T) {
			if tc.article == "" {
				t.Fatal("every case names the article it tests")
			}
			now := tc.now
			if now.IsZero() {
				now = defectNow
			}
			var got []Finding
			for _, f := range Defects(tc.build(), cal, now) {
				if f.Code == tc.code {
					got = append(got, f)
				}
			}
			if !tc.found {
				if len(got) > 0 {
					t.Fatalf("want no %s (%s), got %+v", tc.code, tc.article, got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one %s (%s), got %d: %+v", tc.code, tc.article, len(got), got)
			}
			f := got[0]
			if f.Article != tc.article || f.Severity != tc.severity || f.Remedy != tc.remedy || f.MeasureID != tc.measure ||
				strings.Join(f.DecisionIDs, ",") != strings.Join(tc.ids, ",") {
				t.Errorf("finding %+v\nwant article %q severity %q remedy %q decisions %v measure %q", f, tc.article, tc.severity, tc.remedy, tc.ids, tc.measure)
			}
			checkFindingText(t, f)
		})
	}
}

// checkFindingText: both messages are present, the Vietnamese one with its diacritics, and the
// key starts with the code.
func checkFindingText(t *testing.T, f Finding) {
	t.Helper()
	if f.MessageVI == "" || f.MessageEN == "" || !utf8.ValidString(f.MessageVI) || !strings.ContainsAny(f.MessageVI, "ạảãàáâấầẩẫậăắằẳẵặđếềểễệịỉĩìíọỏõòóôốồổỗộơớờởỡợụủũùúưứừửữựỳýỷỹỵ") {
		t.Errorf("messages: %q / %q", f.MessageVI, f.MessageEN)
	}
	if !strings.HasPrefix(f.Key, string(f.Code)+"|") {
		t.Errorf("key %q does not start with the code", f.Key)
	}
	if f.Severity != SeverityViolation && f.Severity != SeverityWarning {
		t.Errorf("severity %q", f.Severity)
	}
}

// Every defect code has a case that finds it and a clean case that does not: a new code without
// both fails here.
func TestDefectCodesAllTested(t *testing.T) {
	found, clean := map[DefectCode]bool{}, map[DefectCode]bool{}
	for _, tc := range defectTests {
		if tc.found {
			found[tc.code] = true
		} else {
			clean[tc.code] = true
		}
	}
	seen := map[DefectCode]bool{}
	for _, c := range DefectCodes {
		if seen[c] {
			t.Errorf("code %s listed twice", c)
		}
		seen[c] = true
		if !found[c] || !clean[c] {
			t.Errorf("defect code %s needs a finding case and a clean case (finding %v, clean %v)", c, found[c], clean[c])
		}
	}
	for c := range found {
		if !seen[c] {
			t.Errorf("tested code %s is not in DefectCodes", c)
		}
	}
}

// The same defect found twice has the same key, and a correction of the offending decision that
// leaves the defect in place keeps it too; different subjects give different keys.
func TestDefectKeysStable(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	build := func() *defectCase {
		return newDefectCase().dec("kl", StepConcludeInvestigation, date(2026, 4, 10)).dec("ind", StepIndict, date(2026, 4, 8))
	}
	a, b := Defects(build().cs, cal, defectNow), Defects(build().cs, cal, defectNow.Add(48*time.Hour))
	if len(a) != 1 || len(b) != 1 || a[0].Key != b[0].Key {
		t.Fatalf("keys differ between runs: %+v / %+v", a, b)
	}
	c := build()
	c.cs.Decisions[1].Status = domain.DecisionSuperseded
	c.dec("ind2", StepIndict, date(2026, 4, 9), supersedes("ind"))
	got := Defects(c.cs, cal, defectNow)
	if len(got) != 1 || got[0].Key != a[0].Key || got[0].DecisionIDs[0] != "ind2" {
		t.Fatalf("after a correction that keeps the defect: %+v, want key %s", got, a[0].Key)
	}
	keys := map[string]bool{}
	d := newDefectCase().dec("r1", StepReturnByProcuracy, date(2026, 2, 2)).dec("r2", StepReturnByProcuracy, date(2026, 3, 2)).
		dec("r3", StepReturnByProcuracy, date(2026, 4, 2)).dec("r4", StepReturnByProcuracy, date(2026, 5, 4))
	for _, f := range Defects(d.cs, cal, defectNow) {
		if keys[f.Key] {
			t.Fatalf("duplicate key %s", f.Key)
		}
		keys[f.Key] = true
	}
	if len(keys) != 2 {
		t.Fatalf("want two findings for the 3rd and 4th returns, got %v", keys)
	}
}

// A clean, complete story produces no findings at all.
func TestDefectsCleanStory(t *testing.T) {
	cal := NewCalendar(DefaultCalendarDays(), true)
	b := approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureEnded).
		dec("kt", StepInstituteCase, date(2026, 3, 4)).dec("kl", StepConcludeInvestigation, date(2026, 5, 20)).
		dec("ind", StepIndict, date(2026, 6, 1)).dec("tr", StepBringToTrial, date(2026, 6, 20))
	if got := Defects(b.cs, cal, at(2026, 7, 1, 9)); len(got) != 0 {
		t.Fatalf("clean story: %+v", got)
	}
}

// Odd data never panics: no case, no calendar, zero dates, dangling and cyclic corrections, empty
// and repeated ids, unknown steps, measures without orders or dates.
func TestDefectsNeverPanic(t *testing.T) {
	if got := Defects(nil, nil, defectNow); got != nil {
		t.Fatalf("nil case: %+v", got)
	}
	odd := &CaseState{Decisions: []domain.Decision{
		{ID: "", Step: StepIndict, Status: domain.DecisionEffective},
		{ID: "x", Seq: 2, Step: "no_such_step", Status: domain.DecisionEffective, SupersedesID: "y", DecidesID: "nowhere"},
		{ID: "y", Seq: 3, Step: StepResumeInvestigation, Status: domain.DecisionEffective, SupersedesID: "x", IssuedOn: date(2026, 1, 1)},
		{ID: "y", Seq: 4, Step: StepSuspendInvestigation, Status: domain.DecisionApproved, IssuedOn: date(2026, 2, 1), UnitID: 3},
		{ID: "z", Seq: 5, Step: "decide_approval", DecidesID: "y", Status: domain.DecisionEffective},
		{ID: "t", Seq: 6, Step: StepTransfer, Status: domain.DecisionEffective},
		{ID: "r", Seq: -1, Step: StepReturnByCourt, Status: domain.DecisionPending, ReturnedBy: "someone"},
	}, Accused: []domain.Accused{{ID: "a", Measures: []domain.Measure{
		{ID: "m", Kind: domain.MeasureDetention, Status: domain.MeasureActive, DecisionID: "nowhere", OrderedEnd: &time.Time{}},
		{ID: "n", Kind: domain.MeasureCustody, Status: domain.MeasureActive, StartAt: date(2026, 1, 1), OrderedEnd: tptr(date(2025, 1, 1)), DecisionID: "x"},
		{ID: "o", Kind: "strange", Status: domain.MeasureActive, StartAt: date(2026, 1, 1), EndedAt: tptr(date(2025, 1, 1))},
	}}, {ID: "b"}}}
	for _, f := range Defects(odd, nil, time.Time{}) {
		checkFindingText(t, f)
	}
	Defects(&CaseState{}, nil, defectNow)
}

// prosecutionRenewal is a detention for the investigation ending on 31/05/2026, continued for the
// prosecution by an order issued on issued.
func prosecutionRenewal(issued time.Time) *CaseState {
	b := approvedDetention(newDefectCase(), date(2026, 5, 31), domain.MeasureEnded)
	b.cs.Accused[0].Measures[0].Stage = domain.MeasureForInvestigation
	return b.dec("det2", StepExtendDetention, issued, func(d *domain.Decision) { d.MeasureID, d.AccusedIDs = "m3", []string{"a1"} }).
		measure(domain.Measure{ID: "m3", Kind: domain.MeasureDetention, Stage: domain.MeasureForProsecution, StartAt: date(2026, 6, 1),
			OrderedEnd: tptr(date(2026, 6, 30)), ExtendsID: "m1", ExtensionNo: 1, DecisionID: "det2", Status: domain.MeasureActive}).cs
}
