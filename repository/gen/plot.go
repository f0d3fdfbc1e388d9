package gen

import (
	mrand "math/rand/v2"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// stageShares are the shares, in per mille, of generated cases standing in each stage: most of
// them open in report resolution, investigation, prosecution or trial, as in a procuracy's live
// caseload, with a tail of suspended, finished and closed ones. A case's history is plotted
// backwards from its stage, so its age follows from the stage: fresh reports are days old, cases
// in execution or closed are years old.
var stageShares = []struct {
	stage    domain.Stage
	permille int
}{
	{domain.StageReportResolution, 220},
	{domain.StageReportSuspended, 30},
	{domain.StageNotInstituted, 60},
	{domain.StageInstitution, 30},
	{domain.StageInvestigation, 260},
	{domain.StageInvestigationSusp, 50},
	{domain.StageSupplementary, 20},
	{domain.StageProsecution, 100},
	{domain.StageFirstInstance, 100},
	{domain.StageAppeal, 30},
	{domain.StageExecution, 40},
	{domain.StageClosed, 40},
	{domain.StageTerminated, 20},
}

// maxAgeDays keeps every record inside the three-year window that ends at Config.Now.
const maxAgeDays = 3*365 - 1

var (
	byAgency = domain.IssuerInvestigation
	byVKS    = domain.IssuerProcuracy
	byCourt  = domain.IssuerCourt
)

// caseStep is a decision on the case as a whole, planned for a day counted from the day the
// record was received.
type caseStep struct {
	day        int
	step       domain.Step
	issuer     domain.IssuerBody
	returnedBy string
}

// story is the plot of one case: its stage, how it was registered, its offence, its age in days
// and the case-level decisions that lead to its stage. Accused persons and preventive measures
// are filled in around it when the case is generated (see sim).
type story struct {
	stage  domain.Stage
	kind   domain.CaseKind // as registered
	off    int             // index into offences
	clause int
	class  domain.SeverityClass
	age    int // days from the received day to the day of Config.Now
	minute int // minute of the day the record was received
	steps  []caseStep
	// Days of the milestones the accused and their measures are placed around; -1 when the
	// case never reached them.
	accept               int // the procuracy took the case in charge
	accuseFrom, accuseTo int // accused are instituted within these days
	detainBy             int // a custody and detention chain must be complete by this day
	suspend, pronounce   int // detention ends when the investigation is suspended, at the judgment
}

// lengths are a class's time limits in days, read from the rule table (a month counted as 30
// days), so that plotted periods follow the rules when they change.
type lengths struct {
	report, reportExt, reportResumed int
	inv                              int
	invRungs                         []int
	res, resRung                     int
	pros, prosExt                    int
	supVKS, supCourt                 int
	trial, opening                   int
	detention                        int // the longest investigation detention order
}

func approxDays(l workflow.Length) int {
	switch l.Unit {
	case workflow.Months:
		return 30 * l.N
	case workflow.Hours:
		return 1
	}
	return l.N
}

func ruleDays(id workflow.RuleID, c domain.SeverityClass) int {
	r, ok := workflow.RuleByID(id)
	if !ok {
		return 30
	}
	l, ok := r.Length.For(c)
	if !ok {
		return 30
	}
	return approxDays(l)
}

func rungDays(id workflow.RuleID, c domain.SeverityClass) []int {
	r, ok := workflow.RuleByID(id)
	if !ok || r.Ladder == nil {
		return nil
	}
	var out []int
	for _, l := range r.Ladder.Rungs(c) {
		out = append(out, approxDays(l))
	}
	return out
}

func lengthsFor(c domain.SeverityClass) *lengths {
	l := &lengths{
		report: ruleDays(workflow.RuleReportResolution, c), reportResumed: ruleDays(workflow.RuleReportResumed, c),
		inv: ruleDays(workflow.RuleInvestigation, c), invRungs: rungDays(workflow.RuleInvestigation, c),
		res: ruleDays(workflow.RuleInvestigationResumed, c), pros: ruleDays(workflow.RuleProsecutionDecision, c),
		supVKS: ruleDays(workflow.RuleSupplementaryVKS, c), supCourt: ruleDays(workflow.RuleSupplementaryCourt, c),
		trial: ruleDays(workflow.RuleTrialPreparation, c), opening: ruleDays(workflow.RuleTrialOpening, c),
		detention: ruleDays(workflow.RuleDetentionPeriod, c),
	}
	if r := rungDays(workflow.RuleReportResolution, c); len(r) > 0 {
		l.reportExt = r[0]
	}
	if r := rungDays(workflow.RuleInvestigationResumed, c); len(r) > 0 {
		l.resRung = r[0]
	}
	if r := rungDays(workflow.RuleProsecutionDecision, c); len(r) > 0 {
		l.prosExt = r[0]
	}
	return l
}

// onTime is the share of a limit a finished period took: on time, except for a few acts done
// late (which the engine reports as met late).
func onTime(rng *mrand.Rand) float64 {
	if rng.IntN(100) < 3 {
		return 1.03 + 0.15*rng.Float64()
	}
	return 0.35 + 0.58*rng.Float64()
}

// inStage is the share of its limit the current period has run at Config.Now: mostly running,
// some due soon, a few missed, as a monitor finds them.
func inStage(rng *mrand.Rand) float64 {
	switch x := rng.IntN(100); {
	case x < 78:
		return 0.03 + 0.77*rng.Float64()
	case x < 92:
		return 0.80 + 0.20*rng.Float64()
	default:
		return 1.0 + 0.4*rng.Float64()
	}
}

func part(n int, f float64) int { return int(float64(n) * f) }

func (g *generator) drawStage(rng *mrand.Rand) domain.Stage {
	w := rng.IntN(1000)
	for _, s := range stageShares {
		if w < s.permille {
			return s.stage
		}
		w -= s.permille
	}
	return domain.StageReportResolution
}

func (g *generator) drawOffence(rng *mrand.Rand) int {
	w := rng.IntN(g.offenceTotal)
	for i, x := range offenceWeights {
		if w < x {
			return i
		}
		w -= x
	}
	return 0
}

// plot draws a case's story. It is a function of the random source only, so the first pass (which
// needs only the age, to order cases by received date) and the second (which writes the case)
// draw the same story from the same seed.
func (g *generator) plot(rng *mrand.Rand, s *story) {
	s.stage = g.drawStage(rng)
	s.off = g.drawOffence(rng)
	s.clause = 1 + rng.IntN(offences[s.off].maxClause)
	s.class = g.classes[s.off][s.clause-1]
	s.minute = 7*60 + rng.IntN(13*60)
	for try := 0; try < 6; try++ {
		if g.build(rng, s) {
			return
		}
	}
	// A history too long for the window even after redraws: the case is a fresh report instead.
	s.stage = domain.StageReportResolution
	g.build(rng, s)
}

// build lays out the case-level decisions leading to s.stage and sets s.age; false when the
// history does not fit the window.
func (g *generator) build(rng *mrand.Rand, s *story) bool {
	s.steps = s.steps[:0]
	s.kind = domain.KindReport
	s.accept, s.accuseFrom, s.accuseTo, s.detainBy, s.suspend, s.pronounce = -1, -1, -1, 1<<30, -1, -1
	L := g.lengths[s.class]
	add := func(day int, step domain.Step, issuer domain.IssuerBody) {
		s.steps = append(s.steps, caseStep{day: day, step: step, issuer: issuer})
	}
	// finish ends the story t days after the last milestone (at least one day, so every decision
	// lies before the day of Config.Now).
	finish := func(prefix, t int) bool {
		s.age = prefix + max(t, 1)
		return s.age <= maxAgeDays
	}
	// absorb ends a story whose stage may last long (suspended, in execution, closed): the time in
	// the stage shrinks to fit the window, never below minT.
	absorb := func(prefix, t, minT int) bool {
		if prefix+t > maxAgeDays {
			if prefix+minT > maxAgeDays {
				return false
			}
			t = minT + rng.IntN(maxAgeDays-prefix-minT+1)
		}
		s.age = prefix + t
		return true
	}
	agencyOrVKS := func() domain.IssuerBody {
		if rng.IntN(100) < 85 {
			return byAgency
		}
		return byVKS
	}
	// reportEnd is the day a report's resolution ends, extended once by the procuracy in some.
	reportEnd := func() int {
		if rng.IntN(100) < 30 && L.reportExt > 0 {
			xd := 10 + rng.IntN(8)
			add(xd, workflow.StepExtendReport, byVKS)
			return max(xd+1, part(L.report+L.reportExt, onTime(rng)))
		}
		return max(2, part(L.report, onTime(rng)))
	}

	switch s.stage {
	case domain.StageReportResolution:
		if rng.IntN(100) < 8 {
			sd := 3 + rng.IntN(15)
			add(sd, workflow.StepSuspendReport, byAgency)
			rd := sd + 30 + rng.IntN(300)
			add(rd, workflow.StepResumeReport, byAgency)
			return finish(rd, part(L.reportResumed, inStage(rng)))
		}
		if rng.IntN(100) < 35 && L.reportExt > 0 {
			xd := 10 + rng.IntN(8)
			add(xd, workflow.StepExtendReport, byVKS)
			return finish(xd, part(L.report+L.reportExt, inStage(rng))-xd)
		}
		return finish(0, part(L.report, inStage(rng)))
	case domain.StageReportSuspended:
		e := reportEnd()
		add(e, workflow.StepSuspendReport, byAgency)
		return absorb(e, 10+rng.IntN(600), 10)
	case domain.StageNotInstituted:
		e := reportEnd()
		add(e, workflow.StepDeclineInstitution, agencyOrVKS())
		return absorb(e, 3+rng.IntN(700), 3)
	}

	// Instituted: either a report the investigating agency instituted, or a case registered with
	// its institution decision already made.
	i0 := 0
	if rng.IntN(100) < 60 {
		i0 = reportEnd()
		add(i0, workflow.StepInstituteCase, agencyOrVKS())
	} else {
		s.kind = domain.KindCase
	}
	if s.stage == domain.StageInstitution {
		return finish(i0, rng.IntN(6))
	}
	a := i0 + 1 + rng.IntN(6)
	add(a, workflow.StepAcceptInstitution, byVKS)
	s.accept = a

	// periods[k] is the investigation period after k extensions, counted from the institution.
	periods := func(k int) (lo, hi int) {
		hi = L.inv
		for j := 0; j < k; j++ {
			lo = hi
			hi += L.invRungs[j]
		}
		return lo, hi
	}
	extensions := func(k int) int {
		if k > len(L.invRungs) {
			k = len(L.invRungs)
		}
		p := L.inv
		for j := 0; j < k; j++ {
			add(i0+p-(3+rng.IntN(10)), workflow.StepExtendInvestigation, byVKS)
			p += L.invRungs[j]
		}
		return k
	}
	drawK := func() int {
		k := 0
		switch x := rng.IntN(100); {
		case x < 55:
		case x < 85:
			k = 1
		case x < 96:
			k = 2
		default:
			k = 3
		}
		return min(k, len(L.invRungs))
	}

	if s.stage == domain.StageInvestigation {
		if rng.IntN(100) < 7 {
			// Suspended once (the suspect not found), then resumed.
			sd := a + 12 + part(max(1, L.inv-12-(a-i0)), onTime(rng))
			add(sd, workflow.StepSuspendInvestigation, byAgency)
			s.suspend, s.accuseFrom, s.accuseTo, s.detainBy = sd, a+1, sd-2, sd-1
			rd := sd + 30 + rng.IntN(360)
			add(rd, workflow.StepResumeInvestigation, byAgency)
			if rng.IntN(100) < 30 && L.resRung > 0 {
				xd := rd + L.res - (3 + rng.IntN(8))
				if f := part(L.res+L.resRung, inStage(rng)); f > xd-rd {
					add(xd, workflow.StepExtendInvestigation, byVKS)
					return finish(rd, f)
				}
			}
			return finish(rd, part(L.res, inStage(rng)))
		}
		k := drawK()
		lo, hi := periods(k)
		ev := max(lo+part(hi-lo, inStage(rng)), a-i0+1)
		extensions(k)
		s.accuseFrom, s.accuseTo = a+1, min(i0+ev-1, a+30)
		return finish(i0, ev)
	}

	k := drawK()
	lo, hi := periods(k)
	ev := max(lo+part(hi-lo, onTime(rng)), a-i0+12)
	extensions(k)
	e := i0 + ev
	s.detainBy = e - 1
	switch s.stage {
	case domain.StageInvestigationSusp:
		add(e, workflow.StepSuspendInvestigation, byAgency)
		s.suspend, s.accuseFrom, s.accuseTo = e, a+1, e-2
		return absorb(e, 10+rng.IntN(700), 10)
	case domain.StageTerminated:
		add(e, workflow.StepTerminateInvestigation, byAgency)
		s.accuseFrom, s.accuseTo = a+1, e-2
		return absorb(e, 5+rng.IntN(600), 5)
	}
	add(e, workflow.StepConcludeInvestigation, byAgency)
	s.accuseFrom, s.accuseTo = a+1, e-3

	// prosecution runs a completed prosecution period from day c, ending with the step end. An
	// indictment is delivered to the accused and sent to the court with the file within the
	// following three days (Điều 240(2), 244).
	prosecution := func(c int, end domain.Step) int {
		d := c + max(3, part(L.pros, onTime(rng)))
		if rng.IntN(100) < 25 && L.prosExt > 0 {
			xd := c + L.pros - (1 + rng.IntN(4))
			add(xd, workflow.StepExtendProsecution, byVKS)
			d = max(xd+1, c+part(L.pros+L.prosExt, onTime(rng)))
		}
		add(d, end, byVKS)
		if end == workflow.StepIndict {
			add(d+rng.IntN(3), workflow.StepDeliverIndictment, byVKS)
			add(d+rng.IntN(3), workflow.StepSendFileToCourt, byVKS)
		}
		return d
	}
	c := e
	switch s.stage {
	case domain.StageProsecution:
		if rng.IntN(100) < 25 && L.prosExt > 0 {
			xd := c + L.pros - (1 + rng.IntN(4))
			if f := part(L.pros+L.prosExt, inStage(rng)); f > xd-c {
				add(xd, workflow.StepExtendProsecution, byVKS)
				return finish(c, f)
			}
		}
		return finish(c, part(L.pros, inStage(rng)))
	case domain.StageSupplementary:
		if rng.IntN(100) < 70 {
			r := prosecution(c, workflow.StepReturnByProcuracy)
			return finish(r, part(L.supVKS, inStage(rng)))
		}
		ind := prosecution(c, workflow.StepIndict)
		r := ind + max(2, part(L.trial, onTime(rng)))
		s.steps = append(s.steps, caseStep{day: r, step: workflow.StepReturnByCourt, issuer: byCourt, returnedBy: workflow.ReturnedByJudge})
		return finish(r, part(L.supCourt, inStage(rng)))
	}
	if rng.IntN(100) < 8 {
		// Returned once for supplementary investigation before the indictment.
		r := prosecution(c, workflow.StepReturnByProcuracy)
		c = r + max(5, part(L.supVKS, onTime(rng)))
		add(c, workflow.StepConcludeSupplementary, byAgency)
	}
	ind := prosecution(c, workflow.StepIndict)
	bring := func() int {
		b := ind + max(2, part(L.trial, onTime(rng)))
		add(b, workflow.StepBringToTrial, byCourt)
		return b
	}
	pronounce := func(b int) int {
		p := b + max(1, part(L.opening, onTime(rng)))
		add(p, workflow.StepPronounce, byCourt)
		s.pronounce = p
		return p
	}
	if s.stage == domain.StageFirstInstance {
		switch x := rng.IntN(100); {
		case x < 55:
			return finish(ind, part(L.trial, inStage(rng)))
		case x < 80:
			b := bring()
			return finish(b, part(L.opening, inStage(rng)))
		default:
			p := pronounce(bring())
			return finish(p, 1+rng.IntN(14))
		}
	}
	p := pronounce(bring())
	var ex int
	if s.stage == domain.StageAppeal || rng.IntN(100) < 30 {
		ap := p + 3 + rng.IntN(12)
		add(ap, workflow.StepAppeal, domain.IssuerParty)
		if s.stage == domain.StageAppeal {
			return absorb(ap, 3+rng.IntN(150), 3)
		}
		ex = ap + 45 + rng.IntN(75)
		add(ex, workflow.StepAppellateJudgment, byCourt)
	} else {
		ex = p + 16 + rng.IntN(15)
		add(ex, workflow.StepJudgmentEffective, byCourt)
	}
	if s.stage == domain.StageExecution {
		return absorb(ex, 5+rng.IntN(600), 5)
	}
	if ex+63 > maxAgeDays {
		return false
	}
	cl := ex + 60 + rng.IntN(min(540, maxAgeDays-ex-62))
	closer := byCourt
	if rng.IntN(2) == 0 {
		closer = byAgency
	}
	add(cl, workflow.StepCloseCase, closer)
	return absorb(cl, 3+rng.IntN(400), 3)
}
