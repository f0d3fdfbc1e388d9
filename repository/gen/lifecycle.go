package gen

import (
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// Event priorities within a day: approvals answer what came before them, accused and measure steps
// come next, then the case-level step of the day, then what a judgment ends.
const (
	prioApproval = iota
	prioPerson
	prioCase
	prioAfterCase
)

type evKind uint8

const (
	evCase evKind = iota
	evAccuse
	evApprove
	evCustody
	evEndCustody
	evRenew
	evRelease
)

type event struct {
	day, prio, n int
	kind         evKind
	step         caseStep
	acc          int    // accused index
	ref          string // the decision to approve or the measure concerned
}

// person is an accused before the decision that institutes them.
type person struct {
	name, nationalID, gender, address string
	birth                             time.Time
	offence                           time.Time
	detain                            bool
}

// sim plays a case's story through the transition table: every step is judged by
// workflow.Apply (or workflow.Decide for an approval) against the state the earlier steps left,
// exactly as the service would judge it, and its result is applied to that state the way the
// service persists it. What the generator writes is that final state, so it obeys the table, and
// the clocks computed from it are the clocks the service would compute after reading it back.
type sim struct {
	g       *generator
	rng     *mrand.Rand
	c       *caseRec
	s       *story
	st      workflow.CaseState
	dc      domain.Case // what GoverningClass reads: the offence and the received date
	actor   workflow.Actor
	day0    time.Time // midnight (ICT) of the received day
	cursor  time.Time // the latest recording time so far
	lastDay int
	q       []event
	n       int
	people  []person
	renewed []int
	failed  error
}

func (sm *sim) date(day int) time.Time { return sm.day0.AddDate(0, 0, day) }

// stamp is the recording time of a decision dated day: during office hours, after every earlier
// recording of the case, never after Config.Now.
func (sm *sim) stamp(day int) time.Time {
	t := sm.date(day).Add(time.Duration(7*60+sm.rng.IntN(10*60)) * time.Minute)
	if !t.After(sm.cursor) {
		t = sm.cursor.Add(time.Duration(1+sm.rng.IntN(20)) * time.Minute)
	}
	if limit := sm.g.cfg.Now.Add(-time.Minute); t.After(limit) {
		t = limit
	}
	sm.cursor = t
	return t
}

func (sm *sim) push(e event) {
	if e.day > sm.lastDay {
		return
	}
	e.n = sm.n
	sm.n++
	sm.q = append(sm.q, e)
}

func (sm *sim) pop() (event, bool) {
	if len(sm.q) == 0 {
		return event{}, false
	}
	best := 0
	for i, e := range sm.q[1:] {
		b := sm.q[best]
		if e.day < b.day || e.day == b.day && (e.prio < b.prio || e.prio == b.prio && e.n < b.n) {
			best = i + 1
		}
	}
	e := sm.q[best]
	sm.q[best] = sm.q[len(sm.q)-1]
	sm.q = sm.q[:len(sm.q)-1]
	return e, true
}

var stepNumbers = map[domain.Step]string{
	workflow.StepExtendReport: "QĐ-VKS-GH", workflow.StepInstituteCase: "QĐ-KTVA", workflow.StepDeclineInstitution: "QĐ-KKT",
	workflow.StepSuspendReport: "QĐ-TĐC", workflow.StepResumeReport: "QĐ-PH", workflow.StepAcceptInstitution: "QĐ-VKS-PC",
	workflow.StepExtendInvestigation: "QĐ-VKS-GHĐT", workflow.StepSuspendInvestigation: "QĐ-TĐCĐT", workflow.StepResumeInvestigation: "QĐ-PHĐT",
	workflow.StepTerminateInvestigation: "QĐ-ĐCĐT", workflow.StepConcludeInvestigation: "KLĐT", workflow.StepExtendProsecution: "QĐ-VKS-GHTT",
	workflow.StepIndict: "CT-VKS", workflow.StepDeliverIndictment: "BB-GCT", workflow.StepSendFileToCourt: "CV-VKS", workflow.StepReturnByProcuracy: "QĐ-VKS-TH", workflow.StepConcludeSupplementary: "KLĐTBS",
	workflow.StepBringToTrial: "QĐXXST-HS", workflow.StepReturnByCourt: "QĐ-TA-TH", workflow.StepPronounce: "HSST",
	workflow.StepJudgmentEffective: "QĐTHA", workflow.StepAppellateJudgment: "HSPT", workflow.StepCloseCase: "GCN",
	workflow.StepInstituteAccused: "QĐ-KTBC", workflow.StepCustody: "QĐ-TG", workflow.StepDetention: "LTG",
	workflow.StepExtendDetention: "QĐ-GHTG", workflow.StepEndMeasure: "QĐ-HBBP", service.StepDecideApproval: "QĐ-VKS-PC",
}

func (sm *sim) number(step domain.Step) string {
	if step == workflow.StepAppeal {
		return ""
	}
	return strconv.Itoa(1+sm.rng.IntN(400)) + "/" + stepNumbers[step]
}

func (sm *sim) issuerName(b domain.IssuerBody) string {
	switch b {
	case domain.IssuerInvestigation:
		return "Cơ quan Cảnh sát điều tra Công an " + sm.c.unit.place
	case domain.IssuerCourt:
		return "Tòa án nhân dân " + sm.c.unit.place
	case domain.IssuerParty:
		if len(sm.st.Accused) > 0 {
			return sm.st.Accused[0].FullName
		}
	}
	return ""
}

// leader is who records a step only chiefs may take: a chief or deputy of the unit, else the
// lead prosecutor, else the record's creator.
func (sm *sim) leader() uuid.UUID {
	u := sm.c.unit
	if len(u.chiefs) > 0 {
		return u.chiefs[sm.rng.IntN(len(u.chiefs))]
	}
	if sm.c.lead != nil {
		return sm.c.lead.userID
	}
	return sm.c.createdBy
}

func (sm *sim) recorder(t workflow.Transition) uuid.UUID {
	for _, r := range t.Roles {
		if r == domain.RoleProsecutor && sm.c.lead != nil {
			return sm.c.lead.userID
		}
	}
	return sm.leader()
}

func (sm *sim) fail(what string, day int, err error) {
	if sm.failed == nil {
		sm.failed = fmt.Errorf("%s on day %d of a case in %s: %w", what, day, sm.s.stage, err)
	}
}

// record applies a step and persists its result in the state as the service's persist does:
// the decision, the accused or measure it creates, and the statuses it moves. It returns the
// index of the new decision, or -1 when the table refused the step. A new measure without a start
// starts when the order is recorded and, when orderDays is positive, ends on the orderDays-th day
// counting its first.
func (sm *sim) record(day int, req workflow.Request, orderDays int) int {
	rec := sm.stamp(day)
	req.IssuedOn, req.EffectiveOn = sm.date(day), sm.date(day)
	if req.Measure != nil && req.Measure.StartAt.IsZero() {
		m := *req.Measure
		m.StartAt = rec
		if orderDays > 0 {
			end := domain.DateOf(rec).AddDate(0, 0, orderDays-1)
			m.OrderedEnd = &end
		}
		req.Measure = &m
	}
	res, err := workflow.Apply(&sm.st, req, sm.actor, sm.g.cfg.Now)
	if err != nil {
		sm.fail(string(req.Step), day, err)
		return -1
	}
	t := res.Transition
	d := domain.Decision{ID: sm.g.uuidAt(rec).String(), CaseID: sm.st.ID, Seq: len(sm.st.Decisions) + 1, Step: t.Step, Type: t.Doc,
		Number: sm.number(t.Step), Issuer: req.Issuer, IssuerName: sm.issuerName(req.Issuer), IssuedOn: req.IssuedOn, EffectiveOn: req.EffectiveOn,
		AccusedIDs: req.AccusedIDs, MeasureID: req.MeasureID, LegalBasis: t.Article, RequiresApproval: res.Status == domain.DecisionPending,
		ReturnedBy: req.ReturnedBy, FromStage: res.From, ToStage: res.To, UnitID: sm.c.unit.id, RecordedBy: sm.recorder(t).String(),
		RecordedAt: rec, Status: res.Status}
	pending := res.Status == domain.DecisionPending
	var newAccused *domain.Accused
	var newMeasure *domain.Measure
	switch t.Effect {
	case workflow.EffectNewAccused:
		if len(req.AccusedIDs) == 0 {
			p := sm.people[len(sm.st.Accused)]
			birth := p.birth
			a := domain.Accused{ID: sm.g.uuidAt(rec).String(), CaseID: sm.st.ID, FullName: p.name, NationalID: p.nationalID, BirthDate: &birth,
				Gender: p.gender, Address: p.address, OffenceDate: p.offence, Status: res.AccusedTo[""], DecisionID: d.ID, Version: 1, CreatedAt: rec}
			for _, ch := range req.Charges {
				a.Charges = append(a.Charges, domain.Charge{ID: sm.g.uuidAt(rec).String(), AccusedID: a.ID, Article: ch.Article, Clause: ch.Clause,
					Title: ch.Title, Class: ch.Class, OffenceDate: p.offence, DecisionID: d.ID, Proposed: pending, CreatedAt: rec})
			}
			d.AccusedIDs = []string{a.ID}
			delete(res.AccusedTo, "")
			newAccused = &a
		}
	case workflow.EffectNewMeasure, workflow.EffectExtendMeasure:
		m := domain.Measure{ID: sm.g.uuidAt(rec).String(), CaseID: sm.st.ID, AccusedID: req.AccusedIDs[0], Kind: workflow.MeasureKindOf(t.Step),
			Stage: res.Measure.Stage, StartAt: res.Measure.StartAt, OrderedEnd: res.Measure.OrderedEnd, DecisionID: d.ID,
			Status: res.MeasureTo[""], CreatedAt: rec}
		if t.Effect == workflow.EffectExtendMeasure {
			_, prev := sm.st.MeasureByID(req.MeasureID)
			m.Kind, m.ExtendsID, m.ExtensionNo = prev.Kind, prev.ID, prev.ExtensionNo+1
		}
		delete(res.MeasureTo, "")
		d.MeasureID = m.ID
		newMeasure = &m
	case workflow.EffectBecomeCase:
		if !pending && sm.st.Kind == domain.KindReport {
			sm.st.Kind = domain.KindCase
		}
	}
	sm.st.Stage = res.To
	sm.st.Decisions = append(sm.st.Decisions, d)
	if newAccused != nil {
		sm.st.Accused = append(sm.st.Accused, *newAccused)
	}
	if newMeasure != nil {
		a := sm.st.AccusedByID(newMeasure.AccusedID)
		a.Measures = append(a.Measures, *newMeasure)
	}
	sm.settle(res, d, rec)
	return len(sm.st.Decisions) - 1
}

// approve records the procuracy's approval of a pending decision, as the service's Decide does.
func (sm *sim) approve(day int, pendingID string) bool {
	idx := -1
	for i := range sm.st.Decisions {
		if sm.st.Decisions[i].ID == pendingID {
			idx = i
		}
	}
	if idx < 0 {
		return false
	}
	rec := sm.stamp(day)
	pd := sm.st.Decisions[idx]
	res, err := workflow.Decide(&sm.st, pd, domain.OutcomeApprove, sm.actor, sm.date(day), sm.g.cfg.Now)
	if err != nil {
		sm.fail("approval of "+string(pd.Step), day, err)
		return false
	}
	d := domain.Decision{ID: sm.g.uuidAt(rec).String(), CaseID: sm.st.ID, Seq: len(sm.st.Decisions) + 1, Step: service.StepDecideApproval,
		Type: workflow.DocApproval, Number: sm.number(service.StepDecideApproval), Issuer: domain.IssuerProcuracy, Signer: "Phó Viện trưởng",
		IssuedOn: sm.date(day), EffectiveOn: sm.date(day), AccusedIDs: pd.AccusedIDs, MeasureID: pd.MeasureID, LegalBasis: res.Transition.Approval.Article,
		DecidesID: pd.ID, Outcome: domain.OutcomeApprove, FromStage: res.From, ToStage: res.To, UnitID: sm.c.unit.id, RecordedBy: sm.leader().String(),
		RecordedAt: rec, Status: domain.DecisionEffective}
	sm.st.Decisions[idx].Status = domain.DecisionApproved
	sm.st.Decisions = append(sm.st.Decisions, d)
	sm.st.Stage = res.To
	if e := res.Transition.Effect; e == workflow.EffectNewAccused || e == workflow.EffectCharges {
		for i := range sm.st.Accused {
			for j := range sm.st.Accused[i].Charges {
				if ch := &sm.st.Accused[i].Charges[j]; ch.DecisionID == pd.ID && ch.Proposed {
					ch.Proposed = false
				}
			}
		}
	}
	sm.settle(res, d, rec)
	return true
}

// settle moves the accused and measures a result names, as the service does, and reads the
// governing class again.
func (sm *sim) settle(res workflow.Result, d domain.Decision, rec time.Time) {
	for id, s := range res.AccusedTo {
		if a := sm.st.AccusedByID(id); a != nil {
			a.Status, a.Version = s, a.Version+1
			if sm.c.accusedUpdated == nil {
				sm.c.accusedUpdated = map[string]time.Time{}
			}
			sm.c.accusedUpdated[id] = rec
		}
	}
	for id, s := range res.MeasureTo {
		_, m := sm.st.MeasureByID(id)
		if m == nil {
			continue
		}
		m.Status = s
		if s == domain.MeasureActive || s == domain.MeasurePending {
			continue
		}
		// Ended at the decision's effective date, or at its recording when that is the same day,
		// never before the measure began (service.Procedure.setMeasure).
		end := d.EffectiveOn
		if end.Equal(domain.DateOf(rec)) {
			end = rec
		}
		if end.Before(m.StartAt) {
			end = m.StartAt
		}
		m.EndedAt, m.EndedByID = &end, d.ID
	}
	sm.c.version++
	sm.c.updatedAt = rec
	sm.st.Class = service.GoverningClass(&sm.dc, sm.st.Accused, sm.g.catalog)
}

// inCharge is the body that decides on measures in the case's current stage.
func (sm *sim) inCharge() domain.IssuerBody {
	switch sm.st.Stage {
	case domain.StageProsecution, domain.StageProsecutionSusp:
		return domain.IssuerProcuracy
	case domain.StageFirstInstance, domain.StageTrialSuspended, domain.StageAppeal, domain.StageCassation, domain.StageExecution:
		return domain.IssuerCourt
	}
	return domain.IssuerInvestigation
}

// activeDetention is the accused's custody or detention in force, if any.
func (sm *sim) activeDetention(k int) *domain.Measure {
	if k >= len(sm.st.Accused) {
		return nil
	}
	a := &sm.st.Accused[k]
	for j := len(a.Measures) - 1; j >= 0; j-- {
		if m := &a.Measures[j]; m.Kind.Custodial() && m.Status == domain.MeasureActive {
			return m
		}
	}
	return nil
}

func (sm *sim) release(day, k int) {
	if m := sm.activeDetention(k); m != nil {
		sm.record(day, workflow.Request{Step: workflow.StepEndMeasure, Issuer: sm.inCharge(), AccusedIDs: []string{m.AccusedID}, MeasureID: m.ID}, 0)
	}
}

// run plays the story and the accused around it.
func (sm *sim) run() {
	s := sm.s
	for _, st := range s.steps {
		prio := prioCase
		sm.push(event{day: st.day, prio: prio, kind: evCase, step: st})
	}
	// Accused are instituted one after another within the story's window; the investigating
	// agency's decision awaits the procuracy's approval for a day or two.
	if s.accuseFrom >= 0 && s.accuseTo >= s.accuseFrom {
		day := s.accuseFrom + sm.rng.IntN((s.accuseTo-s.accuseFrom)/2+1)
		for k := range sm.people {
			if day > s.accuseTo {
				break
			}
			sm.push(event{day: day, prio: prioPerson, kind: evAccuse, acc: k})
			day += sm.rng.IntN(max(1, (s.accuseTo-day)/2+1))
		}
	}
	for k := range sm.people {
		if s.suspend >= 0 {
			sm.push(event{day: s.suspend, prio: prioPerson, kind: evRelease, acc: k})
		}
		if s.pronounce >= 0 {
			sm.push(event{day: s.pronounce, prio: prioAfterCase, kind: evRelease, acc: k})
		}
	}
	for sm.failed == nil {
		e, ok := sm.pop()
		if !ok {
			break
		}
		switch e.kind {
		case evCase:
			sm.record(e.day, workflow.Request{Step: e.step.step, Issuer: e.step.issuer, ReturnedBy: e.step.returnedBy}, 0)
		case evAccuse:
			sm.accuse(e)
		case evApprove:
			if sm.approve(e.day, e.ref) {
				sm.afterApproval(e)
			}
		case evCustody:
			sm.custody(e)
		case evEndCustody:
			sm.endCustody(e)
		case evRenew:
			sm.renew(e)
		case evRelease:
			sm.release(e.day, e.acc)
		}
	}
}

func (sm *sim) approvalLag() int {
	switch x := sm.rng.IntN(100); {
	case x < 15:
		return 0
	case x < 80:
		return 1
	}
	return 2
}

func (sm *sim) accuse(e event) {
	if e.acc != len(sm.st.Accused) {
		return // an earlier accused was refused by the table: the rest are not instituted either
	}
	off := offences[sm.s.off]
	pc, err := sm.g.catalog.Lookup(strconv.Itoa(off.article), sm.s.clause, sm.people[e.acc].offence)
	if err != nil {
		sm.fail("charge", e.day, err)
		return
	}
	i := sm.record(e.day, workflow.Request{Step: workflow.StepInstituteAccused, Issuer: domain.IssuerInvestigation,
		Charges: []workflow.ChargeInput{{Article: pc.Article, Clause: pc.Clause, Title: pc.Title, Class: pc.Class}}}, 0)
	if i < 0 {
		return
	}
	if d := sm.st.Decisions[i]; d.Status == domain.DecisionPending {
		sm.push(event{day: e.day + sm.approvalLag(), prio: prioApproval, kind: evApprove, acc: e.acc, ref: d.ID})
	}
}

func (sm *sim) afterApproval(e event) {
	d := sm.st.Decisions[len(sm.st.Decisions)-1]
	switch {
	case d.MeasureID != "":
		// A detention order in force: at its end it is extended or the person released.
		if _, m := sm.st.MeasureByID(d.MeasureID); m != nil && m.OrderedEnd != nil {
			sm.push(event{day: sm.dayOf(*m.OrderedEnd), prio: prioPerson, kind: evRenew, acc: e.acc, ref: m.ID})
		}
	case sm.people[e.acc].detain && e.day+3 <= sm.s.detainBy:
		// Held in custody from the institution, then detained.
		sm.push(event{day: e.day, prio: prioPerson, kind: evCustody, acc: e.acc})
	}
}

func (sm *sim) dayOf(t time.Time) int {
	return int(domain.DateOf(t).Sub(sm.day0).Hours()/24 + 0.5)
}

// custody holds the accused for three days counting the first (Điều 118(1)).
func (sm *sim) custody(e event) {
	i := sm.record(e.day, workflow.Request{Step: workflow.StepCustody, Issuer: domain.IssuerInvestigation, AccusedIDs: []string{sm.st.Accused[e.acc].ID},
		Measure: &workflow.MeasureInput{Stage: domain.MeasureForInvestigation}}, 3)
	if i >= 0 {
		_, m := sm.st.MeasureByID(sm.st.Decisions[i].MeasureID)
		sm.push(event{day: sm.dayOf(*m.OrderedEnd), prio: prioPerson, kind: evEndCustody, acc: e.acc, ref: m.ID})
	}
}

// endCustody replaces custody with a detention order for the investigation, as long as the
// class allows (Điều 173(1)), which the procuracy approves.
func (sm *sim) endCustody(e event) {
	_, m := sm.st.MeasureByID(e.ref)
	if m == nil || m.Status != domain.MeasureActive {
		return
	}
	id := sm.st.Accused[e.acc].ID
	if sm.record(e.day, workflow.Request{Step: workflow.StepEndMeasure, Issuer: domain.IssuerInvestigation, AccusedIDs: []string{id}, MeasureID: m.ID}, 0) < 0 {
		return
	}
	days := sm.g.lengths[sm.st.Class].detention
	if sm.rng.IntN(100) < 30 && days > 30 {
		days -= 30
	}
	i := sm.record(e.day, workflow.Request{Step: workflow.StepDetention, Issuer: domain.IssuerInvestigation, AccusedIDs: []string{id},
		Measure: &workflow.MeasureInput{Stage: domain.MeasureForInvestigation}}, days)
	if i < 0 {
		return
	}
	if d := sm.st.Decisions[i]; d.Status == domain.DecisionPending {
		sm.push(event{day: e.day + sm.approvalLag()/2, prio: prioApproval, kind: evApprove, acc: e.acc, ref: d.ID})
	}
}

// renew acts at the last day of a detention order: the body in charge of the stage extends it
// for at most that stage's single-order maximum, up to three times; otherwise the person is
// released.
func (sm *sim) renew(e event) {
	_, m := sm.st.MeasureByID(e.ref)
	if m == nil || m.Status != domain.MeasureActive {
		return
	}
	for len(sm.renewed) <= e.acc {
		sm.renewed = append(sm.renewed, 0)
	}
	L := sm.g.lengths[sm.st.Class]
	var stage domain.MeasureStage
	var days int
	switch sm.st.Stage {
	case domain.StageInvestigation, domain.StageSupplementary:
		stage, days = domain.MeasureForInvestigation, min(L.detention, 60)
	case domain.StageProsecution:
		stage, days = domain.MeasureForProsecution, L.pros
	case domain.StageFirstInstance:
		stage, days = domain.MeasureForTrial, L.trial
	}
	if days == 0 || sm.renewed[e.acc] >= 3 {
		sm.release(e.day, e.acc)
		return
	}
	sm.renewed[e.acc]++
	issuer := domain.IssuerProcuracy
	if stage == domain.MeasureForTrial {
		issuer = domain.IssuerCourt
	}
	start := domain.DateOf(*m.OrderedEnd).AddDate(0, 0, 1)
	end := start.AddDate(0, 0, days-1)
	i := sm.record(e.day, workflow.Request{Step: workflow.StepExtendDetention, Issuer: issuer, AccusedIDs: []string{m.AccusedID}, MeasureID: m.ID,
		Measure: &workflow.MeasureInput{Stage: stage, StartAt: start, OrderedEnd: &end}}, 0)
	if i >= 0 {
		sm.push(event{day: sm.dayOf(end), prio: prioPerson, kind: evRenew, acc: e.acc, ref: sm.st.Decisions[i].MeasureID})
	}
}
