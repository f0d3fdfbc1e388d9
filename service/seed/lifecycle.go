package seed

import (
	"context"
	"fmt"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// storyRun records a demo case's procedural history through the same use case the API calls,
// so that demo data obeys the transition table like real data. Days count from the day the
// case was received.
type storyRun struct {
	ctx      context.Context
	d        DemoDeps
	id       string
	version  int
	received time.Time
	now      time.Time
	ids      []string          // the demo cases registered so far, by position
	accused  map[string]string // full name → accused id
	measure  map[string]string // label → measure id
	lastID   string            // the latest decision recorded
	err      error
}

const (
	cqdtHN  = "Cơ quan Cảnh sát điều tra Công an TP Hà Nội"
	courtHN = "Tòa án nhân dân khu vực 1 - Hà Nội"
)

// on is the date of day n of the story, capped at today.
func (r *storyRun) on(day int) time.Time {
	t := r.received.AddDate(0, 0, day)
	if t.After(r.now) {
		t = r.now
	}
	return t
}

// at is 10:00 on day n, capped at now.
func (r *storyRun) at(day int) time.Time {
	t := domain.DateOf(r.received.AddDate(0, 0, day)).Add(10 * time.Hour)
	if t.After(r.now) {
		t = r.now
	}
	return t
}

func (r *storyRun) record(user string, day int, in service.DecisionInput) *service.DecisionOutcome {
	if r.err != nil {
		return nil
	}
	p, err := principalOf(r.ctx, r.d, user)
	if err != nil {
		r.err = err
		return nil
	}
	in.Version = r.version
	in.IssuedOn = r.on(day)
	out, err := r.d.Procedure.Record(r.ctx, p, r.id, in)
	if err != nil {
		r.err = fmt.Errorf("demo story %s, %s by %s on day %d: %w", r.id, in.Step, user, day, err)
		return nil
	}
	r.version, r.lastID = out.Case.Version, out.Decision.ID
	return out
}

// step records a decision of the case as a whole.
func (r *storyRun) step(user string, day int, step domain.Step, issuer domain.IssuerBody, number string) {
	name := map[domain.IssuerBody]string{domain.IssuerInvestigation: cqdtHN, domain.IssuerCourt: courtHN}[issuer]
	r.record(user, day, service.DecisionInput{Step: step, Issuer: issuer, IssuerName: name, Number: number})
}

// approve approves the latest (pending) decision.
func (r *storyRun) approve(user string, day int, number string) {
	if r.err != nil {
		return
	}
	p, err := principalOf(r.ctx, r.d, user)
	if err != nil {
		r.err = err
		return
	}
	out, err := r.d.Procedure.Decide(r.ctx, p, r.lastID, service.DecideInput{Version: r.version, Outcome: domain.OutcomeApprove, Number: number,
		Signer: "Phó Viện trưởng", IssuedOn: r.on(day)})
	if err != nil {
		r.err = fmt.Errorf("demo story %s, approval on day %d: %w", r.id, day, err)
		return
	}
	r.version = out.Case.Version
}

// accuse records the investigating agency's QĐ khởi tố bị can and the procuracy's approval.
func (r *storyRun) accuse(user, approver string, day int, name, cccd string, birth time.Time, article string, clause int) {
	out := r.record(user, day, service.DecisionInput{Step: workflow.StepInstituteAccused, Issuer: domain.IssuerInvestigation, IssuerName: cqdtHN,
		Number: fmt.Sprintf("%d/QĐ-CSHS", 100+day), Person: &service.PersonInput{FullName: name, NationalID: cccd, BirthDate: &birth, Gender: "male",
			Address: "Hà Nội", OffenceDate: r.received.AddDate(0, 0, -1)}, Charges: []service.ChargeSpec{{Article: article, Clause: clause}}})
	if out == nil {
		return
	}
	r.accused[name] = out.Decision.AccusedIDs[0]
	r.approve(approver, day+1, fmt.Sprintf("%d/QĐ-VKS-PC", 100+day))
}

// investigationDetention is the longest first detention order for the investigation by class
// (Điều 173(1) BLTTHS), so that demo orders stay lawful.
var investigationDetention = map[domain.SeverityClass]int{domain.ClassLessSerious: 2, domain.ClassSerious: 3, domain.ClassVerySerious: 4,
	domain.ClassParticularlySerious: 4}

// monthsFor is the longest lawful first detention order for a charge.
func (r *storyRun) monthsFor(article string, clause int) int {
	pc, err := r.d.Procedure.Catalog().Lookup(article, clause, r.received.AddDate(0, 0, -1))
	if err != nil {
		r.err = err
		return 2
	}
	return investigationDetention[pc.Class]
}

// detain orders custody for three days and then detention for the given months, approved.
func (r *storyRun) detain(user, approver, name string, day, months int, stage domain.MeasureStage) {
	id := r.accused[name]
	start := r.at(day)
	end := domain.DateOf(start).AddDate(0, 0, 2)
	out := r.record(user, day, service.DecisionInput{Step: workflow.StepCustody, Issuer: domain.IssuerInvestigation, IssuerName: cqdtHN,
		Number: fmt.Sprintf("%d/QĐ-TG", 200+day), AccusedIDs: []string{id}, Measure: &workflow.MeasureInput{Stage: stage, StartAt: start, OrderedEnd: &end}})
	if out == nil {
		return
	}
	custody := out.Decision.MeasureID
	r.record(user, day+2, service.DecisionInput{Step: workflow.StepEndMeasure, Issuer: domain.IssuerInvestigation, IssuerName: cqdtHN,
		Number: fmt.Sprintf("%d/QĐ-HBTG", 200+day), AccusedIDs: []string{id}, MeasureID: custody, Note: "Thay thế bằng biện pháp tạm giam"})
	dstart := r.at(day + 2)
	dend := domain.DateOf(dstart).AddDate(0, months, -1)
	out = r.record(user, day+2, service.DecisionInput{Step: workflow.StepDetention, Issuer: domain.IssuerInvestigation, IssuerName: cqdtHN,
		Number: fmt.Sprintf("%d/LTG", 200+day), AccusedIDs: []string{id}, Measure: &workflow.MeasureInput{Stage: stage, StartAt: dstart, OrderedEnd: &dend}})
	if out == nil {
		return
	}
	r.measure[name] = out.Decision.MeasureID
	r.approve(approver, day+2, fmt.Sprintf("%d/QĐ-PCLTG", 200+day))
}

// release replaces the person's detention with a residence ban (cấm đi khỏi nơi cư trú), as the
// body in charge of the stage decides, so that no demo detention outlives its order.
func (r *storyRun) release(user, name string, day int, issuer domain.IssuerBody, why string) {
	r.record(user, day, service.DecisionInput{Step: workflow.StepEndMeasure, Issuer: issuer, Number: fmt.Sprintf("%d/QĐ-TTBPNC", 300+day),
		AccusedIDs: []string{r.accused[name]}, MeasureID: r.measure[name], Note: why})
	r.record(user, day, service.DecisionInput{Step: workflow.StepResidenceBan, Issuer: issuer, Number: fmt.Sprintf("%d/LC", 300+day),
		AccusedIDs: []string{r.accused[name]}, Measure: &workflow.MeasureInput{StartAt: r.at(day)}})
}

// toProsecution takes a case from its institution to the procuracy's prosecution stage with
// one detained accused.
func (r *storyRun) toProsecution(ksv, chief, name, cccd string, birth time.Time, article string, clause int, concludeDay int) {
	r.step(chief, 1, workflow.StepAcceptInstitution, domain.IssuerProcuracy, "12/QĐ-VKS")
	r.accuse(ksv, chief, 2, name, cccd, birth, article, clause)
	r.detain(ksv, chief, name, 3, r.monthsFor(article, clause), domain.MeasureForInvestigation)
	r.step(ksv, concludeDay, workflow.StepConcludeInvestigation, domain.IssuerInvestigation, "45/KLĐT")
}

// toTrial goes on to the indictment, where the procuracy replaces detention with a residence
// ban, and the decision to bring the case to trial.
func (r *storyRun) toTrial(ksv, chief, name string, indictDay, trialDay int) {
	r.step(chief, indictDay, workflow.StepIndict, domain.IssuerProcuracy, "30/CT-VKS")
	r.release(chief, name, indictDay, domain.IssuerProcuracy, "Bị can thành khẩn khai báo, có nơi cư trú rõ ràng: thay thế biện pháp tạm giam")
	// The indictment is delivered to the accused and the file sent to the court within the
	// 3 days of Điều 240(2)–(3) and 244.
	r.step(ksv, indictDay+1, workflow.StepDeliverIndictment, domain.IssuerProcuracy, "30/CT-VKS-GBCT")
	r.step(ksv, indictDay+2, workflow.StepSendFileToCourt, domain.IssuerProcuracy, "30/CT-VKS-CHS")
	r.step(ksv, trialDay, workflow.StepBringToTrial, domain.IssuerCourt, "55/QĐXXST-HS")
}

// demoStories are the procedural histories of the demo cases, by the case's position in
// demoCaseList. Together with the registrations they put a case in every stage of the table.
func demoStories() map[int]func(r *storyRun) {
	born := func(y int) time.Time { return time.Date(y, 5, 12, 0, 0, 0, 0, domain.ICT) }
	const chief1, ksv1, ksv2, chief2 = "hnkv1.vientruong", "hnkv1.ksv1", "hnkv1.ksv2", "hnkv2.vientruong"
	return map[int]func(r *storyRun){
		// Assault at a karaoke bar: under investigation, the accused detained.
		1: func(r *storyRun) {
			r.step(chief1, 1, workflow.StepAcceptInstitution, domain.IssuerProcuracy, "08/QĐ-VKS")
			r.accuse(ksv2, chief1, 2, "Trần Văn Mạnh", "001090011122", born(1990), "134", 3)
			r.detain(ksv2, chief1, "Trần Văn Mạnh", 3, 4, domain.MeasureForInvestigation)
		},
		// Heroin dealing (secret): investigation concluded, at prosecution.
		2: func(r *storyRun) {
			r.toProsecution(ksv1, chief1, "Hà Văn Tùng", "001088077788", born(1988), "251", 2, 60)
		},
		// Online fraud report: the resolution period extended.
		3: func(r *storyRun) {
			r.step(chief1, 8, workflow.StepExtendReport, domain.IssuerProcuracy, "05/QĐ-VKS-GH")
		},
		// Threat to kill: report resolution suspended while the suspect is sought.
		4: func(r *storyRun) {
			r.step(chief2, 3, workflow.StepSuspendReport, domain.IssuerInvestigation, "02/QĐ-TĐC")
		},
		// Embezzlement: investigated, then returned by the procuracy for supplementary investigation.
		5: func(r *storyRun) {
			r.toProsecution(chief2, chief2, "Vương Thị Yến", "001186055566", born(1986), "353", 3, 90)
			r.step(chief2, 100, workflow.StepReturnByProcuracy, domain.IssuerProcuracy, "03/QĐ-VKS-TH")
		},
		// Bicycle theft report: not instituted (no crime: value under the threshold).
		8: func(r *storyRun) {
			r.step(ksv2, 15, workflow.StepDeclineInstitution, domain.IssuerInvestigation, "20/QĐ-KKT")
		},
		// Fleeing accused: wanted notice, investigation suspended.
		9: func(r *storyRun) {
			r.step(chief1, 1, workflow.StepAcceptInstitution, domain.IssuerProcuracy, "21/QĐ-VKS")
			r.accuse(ksv1, chief1, 3, "Phùng Văn Đạt", "001093044455", born(1993), "171", 2)
			r.record(ksv1, 10, service.DecisionInput{Step: workflow.StepWanted, Issuer: domain.IssuerInvestigation, IssuerName: cqdtHN, Number: "07/QĐ-TN",
				AccusedIDs: []string{r.accused["Phùng Văn Đạt"]}, Measure: &workflow.MeasureInput{StartAt: r.at(10)}})
			r.step(ksv1, 60, workflow.StepSuspendInvestigation, domain.IssuerInvestigation, "09/QĐ-TĐCĐT")
		},
		// Housebreaking: indicted, set down for trial.
		10: func(r *storyRun) {
			r.toProsecution(ksv1, chief1, "Lương Văn Hải", "001096011223", born(1996), "173", 2, 70)
			r.toTrial(ksv1, chief1, "Lương Văn Hải", 85, 100)
		},
		// Drink-driving death: tried, judgment appealed.
		11: func(r *storyRun) {
			r.toProsecution(ksv2, chief1, "Tô Minh Quân", "001085066778", born(1985), "260", 3, 60)
			r.toTrial(ksv2, chief1, "Tô Minh Quân", 75, 95)
			r.step(ksv2, 110, workflow.StepPronounce, domain.IssuerCourt, "120/HSST")
			r.record(ksv2, 115, service.DecisionInput{Step: workflow.StepAppeal, Issuer: domain.IssuerParty, IssuerName: "Tô Minh Quân"})
		},
		// Receiving stolen goods: judgment in force, being executed.
		12: func(r *storyRun) {
			r.toProsecution(ksv1, chief1, "Đoàn Văn Khánh", "001091033344", born(1991), "323", 1, 50)
			r.toTrial(ksv1, chief1, "Đoàn Văn Khánh", 60, 80)
			r.step(ksv1, 95, workflow.StepPronounce, domain.IssuerCourt, "98/HSST")
			r.step(ksv1, 115, workflow.StepJudgmentEffective, domain.IssuerCourt, "15/QĐTHA")
		},
		// Gambling: sentence served, case closed.
		13: func(r *storyRun) {
			r.toProsecution(ksv2, chief1, "Kiều Văn Toàn", "001087055667", born(1987), "321", 1, 40)
			r.toTrial(ksv2, chief1, "Kiều Văn Toàn", 50, 65)
			r.step(ksv2, 75, workflow.StepPronounce, domain.IssuerCourt, "60/HSST")
			r.step(ksv2, 95, workflow.StepJudgmentEffective, domain.IssuerCourt, "09/QĐTHA")
			r.step(ksv2, 200, workflow.StepCloseCase, domain.IssuerCourt, "03/GCN")
		},
		// Minor assault, victim withdrew the request (Điều 155): investigation terminated.
		14: func(r *storyRun) {
			r.step(chief1, 1, workflow.StepAcceptInstitution, domain.IssuerProcuracy, "31/QĐ-VKS")
			r.accuse(ksv1, chief1, 3, "Cao Văn Lâm", "001099022334", born(1999), "134", 1)
			r.step(ksv1, 20, workflow.StepTerminateInvestigation, domain.IssuerInvestigation, "11/QĐ-ĐCĐT")
		},
		// A second assault by the karaoke group: joined into the first case.
		15: func(r *storyRun) {
			r.step(chief1, 1, workflow.StepAcceptInstitution, domain.IssuerProcuracy, "33/QĐ-VKS")
			r.record(chief1, 5, service.DecisionInput{Step: workflow.StepJoin, Issuer: domain.IssuerInvestigation, IssuerName: cqdtHN, Number: "04/QĐ-NVA",
				TargetCaseID: r.ids[1]})
		},
		// Shoplifting caught in the act: summary procedure applied during investigation.
		16: func(r *storyRun) {
			r.step(chief1, 0, workflow.StepAcceptInstitution, domain.IssuerProcuracy, "35/QĐ-VKS")
			r.accuse(ksv2, chief1, 1, "Mạc Văn Phú", "001100011122", born(2000), "173", 1)
			r.step(ksv2, 2, workflow.StepApplySummary, domain.IssuerInvestigation, "01/QĐ-RG")
		},
		// Counterfeit goods found in Regional 2's area but committed in Regional 1's: transferred.
		17: func(r *storyRun) {
			r.step(chief2, 1, workflow.StepAcceptInstitution, domain.IssuerProcuracy, "07/QĐ-VKS")
			kv1, err := r.d.Units.GetUnitByCode(r.ctx, RegionalCode("HNI", 1))
			if err != nil {
				r.err = err
				return
			}
			r.record(chief2, 6, service.DecisionInput{Step: workflow.StepTransfer, Issuer: domain.IssuerProcuracy, Number: "02/QĐ-VKS-CVA",
				TargetUnitID: kv1.ID, Note: "Chuyển theo thẩm quyền lãnh thổ (Điều 163 BLTTHS)"})
		},
		// Seriously ill accused: case suspended at the prosecution stage.
		18: func(r *storyRun) {
			r.toProsecution(ksv1, chief1, "Lò Văn Sáng", "001080099887", born(1980), "174", 2, 60)
			r.step(chief1, 70, workflow.StepSuspendProsecution, domain.IssuerProcuracy, "05/QĐ-TĐCVA")
			r.release(chief1, "Lò Văn Sáng", 70, domain.IssuerProcuracy, "Bị can bị bệnh hiểm nghèo: thay thế biện pháp tạm giam")
		},
		// Trial adjourned while a forensic re-examination runs: suspended at trial.
		19: func(r *storyRun) {
			r.toProsecution(ksv2, chief1, "Vi Văn Tài", "001089077665", born(1989), "134", 2, 55)
			r.toTrial(ksv2, chief1, "Vi Văn Tài", 70, 90)
			r.step(ksv2, 100, workflow.StepSuspendTrial, domain.IssuerCourt, "02/QĐ-TĐCVA-TA")
		},
		// Robbery: judgment in force, protested for cassation by the Supreme Procuracy.
		20: func(r *storyRun) {
			r.toProsecution(ksv1, chief1, "Hầu Văn Mạnh", "001084055443", born(1984), "168", 1, 60)
			r.toTrial(ksv1, chief1, "Hầu Văn Mạnh", 70, 90)
			r.step(ksv1, 100, workflow.StepPronounce, domain.IssuerCourt, "101/HSST")
			r.step(ksv1, 120, workflow.StepJudgmentEffective, domain.IssuerCourt, "18/QĐTHA")
			r.step("tc.vientruong", 180, workflow.StepProtestCassation, domain.IssuerProcuracy, "02/QĐ-VKSTC-KNGĐT")
		},
	}
}
