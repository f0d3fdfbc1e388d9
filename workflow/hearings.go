package workflow

import (
	"fmt"
	"slices"
	"time"

	"kiemsat/domain"
)

// hearingRule says what sets a hearing of a level: the steps whose decision does, and the article.
type hearingRule struct {
	steps   []domain.Step
	article string
	nameVI  string
	// sinceEntry: the decision must come after the case entered the stage (the court's decision to
	// bring the case to trial); otherwise the decision that brought the case to the stage sets it
	// (an appeal, a protest).
	sinceEntry bool
}

var hearingRules = map[domain.HearingLevel]hearingRule{
	// The court decides to bring the case to trial and opens the hearing within 15 days (30 for
	// force majeure) of that decision (Điều 255, 277(3) BLTTHS).
	domain.HearingFirstInstance: {steps: []domain.Step{StepBringToTrial}, article: "Điều 255, 277 BLTTHS", nameVI: "phiên tòa sơ thẩm", sinceEntry: true},
	// An appeal or protest brings the case before the appellate court (Điều 331–337), which hears it
	// within the periods of Điều 346.
	domain.HearingAppeal: {steps: []domain.Step{StepAppeal, StepProtestAppeal, StepAppealDecision, StepProtestDecision},
		article: "Điều 331, 336, 346 BLTTHS", nameVI: "phiên tòa phúc thẩm"},
	// A cassation or reopening protest brings a judgment in force before the court, which opens
	// the hearing within 4 months (Điều 373, 385, 400).
	domain.HearingCassation: {steps: []domain.Step{StepProtestCassation}, article: "Điều 373, 385, 400 BLTTHS", nameVI: "phiên tòa giám đốc thẩm, tái thẩm"},
}

// HearingArticle is the article a hearing of the level rests on, for error details.
func HearingArticle(l domain.HearingLevel) string { return hearingRules[l].article }

// MaxHearingLead is how far ahead a hearing may be scheduled: no court sets a date two years out,
// so a later one is a typing mistake (2062 for 2026).
const MaxHearingLead = 2 * 366 * 24 * time.Hour

// HearingTrigger finds the decision a hearing of the level rests on, in the case's state now. The
// case must be at the level's stage (a first-instance hearing while the case is at the first-
// instance trial, an appeal hearing while it is on appeal, …). A first-instance hearing needs the
// court's decision to bring the case to trial recorded since the case last came to the court (a
// decision from before a remand or a return for supplementary investigation no longer counts); an
// appeal or cassation hearing rests on the appeal or protest that brought the case to the stage.
// decisionID, when given, names the decision; otherwise the latest one that fits is taken. A
// refusal is an invalid error naming the field, the rule and the article.
func HearingTrigger(cs *CaseState, level domain.HearingLevel, decisionID string) (*domain.Decision, error) {
	rule, ok := hearingRules[level]
	if !ok {
		return nil, domain.Invalid("level", "enum", "cấp xét xử là first_instance (sơ thẩm), appeal (phúc thẩm) hoặc cassation (giám đốc thẩm, tái thẩm)")
	}
	if cs.Stage != level.Stage() {
		msg := fmt.Sprintf("không thể lên lịch %s khi hồ sơ đang ở giai đoạn %s", rule.nameVI, StageNames[cs.Stage].VI)
		return nil, &domain.Error{Code: domain.CodeInvalid, Message: msg, Details: []domain.Detail{{Field: "level", Rule: "case_stage", Article: rule.article,
			Message: fmt.Sprintf("%s chỉ được lên lịch khi vụ án ở giai đoạn %s", rule.nameVI, StageNames[level.Stage()].VI)}}}
	}
	start := -1
	if e := entry(cs); e != nil {
		start = e.Seq
		if !rule.sinceEntry {
			start = e.Seq - 1
		}
	}
	var found *domain.Decision
	for i := range cs.Decisions {
		d := &cs.Decisions[i]
		if d.Seq <= start || !slices.Contains(rule.steps, d.Step) || !inForce(*d, false) {
			continue
		}
		if decisionID == "" || d.ID == decisionID {
			found = d
		}
	}
	switch {
	case found != nil:
		return found, nil
	case decisionID != "":
		return nil, &domain.Error{Code: domain.CodeInvalid, Message: "quyết định được nêu không phải là quyết định làm căn cứ mở " + rule.nameVI + " của hồ sơ",
			Details: []domain.Detail{{Field: "decision_id", Rule: "hearing_trigger", Article: rule.article,
				Message: "phải là quyết định còn hiệu lực của hồ sơ, ghi nhận từ khi vụ án đến giai đoạn này: " + stepsVI(rule.steps)}}}
	}
	msg := "chưa có quyết định đưa vụ án ra xét xử"
	if !rule.sinceEntry {
		msg = "chưa có kháng cáo, kháng nghị làm căn cứ mở " + rule.nameVI
	}
	return nil, &domain.Error{Code: domain.CodeInvalid, Message: msg + ": chưa thể lên lịch " + rule.nameVI,
		Details: []domain.Detail{{Field: "decision_id", Rule: "hearing_trigger", Article: rule.article, Message: msg}}}
}

// CheckHearingTime records what is implausible about a hearing's time: before the day of the
// decision that set it (a court cannot open a hearing it has not decided on), more than
// MaxHearingLead after now, an expected end not after the start or more than 60 days after it.
func CheckHearingTime(v *domain.Validation, at time.Time, end *time.Time, trigger *domain.Decision, now time.Time) {
	switch {
	case at.IsZero():
		v.Add("scheduled_at", "required", "phải nhập thời điểm mở phiên tòa")
		return
	case trigger != nil && at.Before(domain.DateOf(trigger.IssuedOn)):
		v.Add("scheduled_at", "date_order", fmt.Sprintf("phiên tòa không thể mở trước ngày của quyết định làm căn cứ (%s)",
			domain.DateOf(trigger.IssuedOn).Format("02/01/2006")))
	case at.After(now.Add(MaxHearingLead)):
		v.Add("scheduled_at", "range", "thời điểm mở phiên tòa không được quá 2 năm kể từ hôm nay")
	}
	if end != nil {
		switch {
		case !end.After(at):
			v.Add("expected_end", "after_start", "thời điểm dự kiến kết thúc phải sau thời điểm mở phiên tòa")
		case end.Sub(at) > 60*24*time.Hour:
			v.Add("expected_end", "range", "phiên tòa dự kiến kéo dài tối đa 60 ngày")
		}
	}
}

func stepsVI(steps []domain.Step) string {
	out := ""
	for i, s := range steps {
		if i > 0 {
			out += "; "
		}
		if t, ok := ByStep(s); ok {
			out += lower(t.NameVI)
		} else {
			out += string(s)
		}
	}
	return out
}
