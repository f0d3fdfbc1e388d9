package workflow

import (
	"testing"
	"time"

	"kiemsat/domain"
)

// TestHearingTrigger: which decision a hearing of each level rests on, at each stage, including a
// decision to bring to trial from before a remand (no longer counts) and a superseded one.
func TestHearingTrigger(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, domain.ICT) }
	dec := func(seq int, id string, step domain.Step, from, to domain.Stage, status domain.DecisionStatus) domain.Decision {
		return domain.Decision{ID: id, Seq: seq, Step: step, FromStage: from, ToStage: to, Status: status, IssuedOn: day(seq)}
	}
	fi, ap := domain.StageFirstInstance, domain.StageAppeal
	indict := dec(1, "indict", StepIndict, domain.StageProsecution, fi, domain.DecisionEffective)
	trial := dec(2, "trial", StepBringToTrial, fi, fi, domain.DecisionEffective)
	judgment := dec(3, "judgment", StepPronounce, fi, fi, domain.DecisionEffective)
	appeal := dec(4, "appeal", StepAppeal, fi, ap, domain.DecisionEffective)
	remand := dec(5, "remand", StepAppellateRemand, ap, fi, domain.DecisionEffective)
	retrial := dec(6, "retrial", StepBringToTrial, fi, fi, domain.DecisionEffective)
	superseded := dec(2, "trial", StepBringToTrial, fi, fi, domain.DecisionSuperseded)
	tests := []struct {
		name      string
		stage     domain.Stage
		decisions []domain.Decision
		level     domain.HearingLevel
		id        string
		want      string // the trigger's id, or field/rule of the refusal
	}{
		{"investigation", domain.StageInvestigation, nil, domain.HearingFirstInstance, "", "level/case_stage"},
		{"indicted only", fi, []domain.Decision{indict}, domain.HearingFirstInstance, "", "decision_id/hearing_trigger"},
		{"brought to trial", fi, []domain.Decision{indict, trial}, domain.HearingFirstInstance, "", "trial"},
		{"named", fi, []domain.Decision{indict, trial}, domain.HearingFirstInstance, "trial", "trial"},
		{"named wrong", fi, []domain.Decision{indict, trial}, domain.HearingFirstInstance, "indict", "decision_id/hearing_trigger"},
		{"superseded", fi, []domain.Decision{indict, superseded}, domain.HearingFirstInstance, "", "decision_id/hearing_trigger"},
		{"appeal at first instance", fi, []domain.Decision{indict, trial, judgment}, domain.HearingAppeal, "", "level/case_stage"},
		{"appeal", ap, []domain.Decision{indict, trial, judgment, appeal}, domain.HearingAppeal, "", "appeal"},
		{"first instance on appeal", ap, []domain.Decision{indict, trial, judgment, appeal}, domain.HearingFirstInstance, "", "level/case_stage"},
		{"remanded, not yet retried", fi, []domain.Decision{indict, trial, judgment, appeal, remand}, domain.HearingFirstInstance, "", "decision_id/hearing_trigger"},
		{"remanded, old decision named", fi, []domain.Decision{indict, trial, judgment, appeal, remand}, domain.HearingFirstInstance, "trial", "decision_id/hearing_trigger"},
		{"retried", fi, []domain.Decision{indict, trial, judgment, appeal, remand, retrial}, domain.HearingFirstInstance, "", "retrial"},
		{"cassation", domain.StageCassation, []domain.Decision{dec(1, "protest", StepProtestCassation, domain.StageExecution, domain.StageCassation, domain.DecisionEffective)},
			domain.HearingCassation, "", "protest"},
		{"unknown level", fi, nil, "district", "", "level/enum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := HearingTrigger(&CaseState{Stage: tt.stage, Decisions: tt.decisions}, tt.level, tt.id)
			got := ""
			if err != nil {
				de, _ := domain.AsError(err)
				got = de.Details[0].Field + "/" + de.Details[0].Rule
			} else {
				got = d.ID
			}
			if got != tt.want {
				t.Errorf("got %s, want %s (%v)", got, tt.want, err)
			}
		})
	}
}

func TestCheckHearingTime(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, domain.ICT)
	trigger := &domain.Decision{IssuedOn: time.Date(2026, 3, 10, 0, 0, 0, 0, domain.ICT)}
	end := func(h time.Duration, at time.Time) *time.Time { e := at.Add(h); return &e }
	tests := []struct {
		at   time.Time
		end  *time.Time
		want string
	}{
		{now.Add(time.Hour), nil, ""},
		{time.Date(2026, 3, 10, 7, 0, 0, 0, domain.ICT), nil, ""}, // the decision's own day
		{time.Date(2026, 3, 9, 23, 0, 0, 0, domain.ICT), nil, "scheduled_at/date_order"},
		{now.Add(MaxHearingLead + time.Minute), nil, "scheduled_at/range"},
		{time.Time{}, nil, "scheduled_at/required"},
		{now.Add(48 * time.Hour), end(-time.Hour, now.Add(48*time.Hour)), "expected_end/after_start"},
		{now.Add(48 * time.Hour), end(61*24*time.Hour, now.Add(48*time.Hour)), "expected_end/range"},
	}
	for _, tt := range tests {
		var v domain.Validation
		CheckHearingTime(&v, tt.at, tt.end, trigger, now)
		got := ""
		if err := v.Err(); err != nil {
			de, _ := domain.AsError(err)
			got = de.Details[0].Field + "/" + de.Details[0].Rule
		}
		if got != tt.want {
			t.Errorf("at %v end %v: got %q, want %q", tt.at, tt.end, got, tt.want)
		}
	}
}
