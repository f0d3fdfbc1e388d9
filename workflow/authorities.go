package workflow

import (
	"fmt"
	"slices"

	"kiemsat/domain"
)

// Authorities is the table of who may grant or approve what, by procuracy level (thẩm quyền
// theo cấp). The transition table carries the levels the code was written with; an Authorities
// row for the same step and power replaces them, so an administrator can follow a reform without
// a release. A case judged without Authorities (nil) uses the transition table alone.
type Authorities struct {
	rows []domain.Authority
}

// NewAuthorities builds the lookup over rows.
func NewAuthorities(rows []domain.Authority) *Authorities {
	return &Authorities{rows: slices.Clone(rows)}
}

// Rows returns the rows, in the order given.
func (a *Authorities) Rows() []domain.Authority { return slices.Clone(a.rows) }

// Lookup finds the row for a step and power at the n-th extension (rung; 0 when the step is not
// an extension) of a case of class: the most specific row that matches, a rung-and-class row
// before a rung row before a class row before a general one.
func (a *Authorities) Lookup(step domain.Step, power domain.Power, rung int, class domain.SeverityClass) (domain.Authority, bool) {
	if a == nil {
		return domain.Authority{}, false
	}
	best, score := domain.Authority{}, -1
	for _, r := range a.rows {
		if r.Step != step || r.Power != power || (r.Rung != 0 && r.Rung != rung) || (r.Class != "" && r.Class != class) {
			continue
		}
		s := 0
		if r.Rung != 0 {
			s += 2
		}
		if r.Class != "" {
			s++
		}
		if s > score {
			best, score = r, s
		}
	}
	return best, score >= 0
}

// ladderSteps are the steps that extend a case's period; their n-th occurrence since the case
// entered its stage is the rung.
var ladderSteps = []domain.Step{StepExtendReport, StepExtendInvestigation, StepExtendProsecution}

// rung is which extension a request or a pending decision is: the count of earlier ones plus one
// for a case period, the extension number of the order for custody and detention, 0 otherwise.
func (cs *CaseState) rung(step domain.Step, measureID string, pendingMeasure bool) int {
	switch {
	case slices.Contains(ladderSteps, step):
		return countSinceEntry(cs, step) + 1
	case step == StepExtendCustody || step == StepExtendDetention:
		_, m := cs.MeasureByID(measureID)
		if m == nil {
			return 0
		}
		if pendingMeasure {
			return m.ExtensionNo // the pending decision's own order, already numbered
		}
		return m.ExtensionNo + 1 // the order being extended
	}
	return 0
}

// withRecordAuthority is t with the levels that may record it taken from the authorities table,
// when a row applies.
func (cs *CaseState) withRecordAuthority(t Transition, req Request) Transition {
	a, ok := cs.Authorities.Lookup(t.Step, domain.PowerRecord, cs.rung(t.Step, req.MeasureID, false), cs.Class)
	if !ok {
		return t
	}
	t.Levels = a.Levels
	if a.Article != "" {
		t.Article = a.Article
	}
	return t
}

// withApproveAuthority is t with the levels that may approve a pending decision of it taken from
// the authorities table, when a row applies.
func (cs *CaseState) withApproveAuthority(t Transition, pending domain.Decision) Transition {
	if t.Approval == nil {
		return t
	}
	a, ok := cs.Authorities.Lookup(t.Step, domain.PowerApprove, cs.rung(t.Step, pending.MeasureID, true), cs.Class)
	if !ok {
		return t
	}
	ap := *t.Approval
	ap.Levels = a.Levels
	if a.Article != "" {
		ap.Article = a.Article
	}
	t.Approval = &ap
	return t
}

// DefaultAuthorities are the rows shipped with the platform: the levels the transition table was
// written with, one general row per step and power, plus the ladder rows the reference gives by
// default (reference §3.4: the procuracy supervising the investigation grants the extensions;
// the third extension of a particularly serious crime's investigation is the Supreme
// Procuracy's). None is confirmed: the 2025 wording of these articles was not seen (reference §6).
func DefaultAuthorities() []domain.Authority {
	var out []domain.Authority
	for _, t := range Transitions {
		if len(t.Levels) > 0 {
			out = append(out, domain.Authority{Step: t.Step, Power: domain.PowerRecord, Levels: slices.Clone(t.Levels), Article: t.Article,
				Note: "Mức thẩm quyền theo bảng chuyển giai đoạn"})
		}
		if t.Approval != nil {
			out = append(out, domain.Authority{Step: t.Step, Power: domain.PowerApprove, Levels: slices.Clone(t.Approval.Levels), Article: t.Approval.Article,
				Note: "Viện kiểm sát thụ lý, kiểm sát vụ án phê chuẩn khi không ghi cấp"})
		}
	}
	out = append(out, domain.Authority{Step: StepExtendInvestigation, Power: domain.PowerRecord, Rung: 3, Class: domain.ClassParticularlySerious,
		Levels: []domain.UnitLevel{domain.LevelSupreme, domain.LevelMilitaryCentral}, Article: "Điều 172(5) BLTTHS",
		Note: "Gia hạn điều tra lần thứ ba đối với tội phạm đặc biệt nghiêm trọng: Viện kiểm sát nhân dân tối cao, Viện kiểm sát quân sự trung ương"})
	return out
}

// ValidateAuthority checks a row as an administrator writes it: a known step that the power fits
// (an approval row for a step that needs the procuracy's approval, a record row for a step the
// procuracy records), a rung within the step's ladder, a known class and known levels.
func ValidateAuthority(a domain.Authority) error {
	var v domain.Validation
	t, ok := ByStep(a.Step)
	if !ok {
		v.Add("step", "unknown_step", fmt.Sprintf("không có thao tác %q trong bảng chuyển giai đoạn", a.Step))
		return v.Err()
	}
	switch {
	case !a.Power.Valid():
		v.Add("power", "enum", "power là record (ghi nhận, gia hạn) hoặc approve (phê chuẩn)")
	case a.Power == domain.PowerApprove && t.Approval == nil:
		v.AddArticle("power", "no_approval", t.Article, "thao tác này không cần Viện kiểm sát phê chuẩn")
	}
	if a.Rung < 0 || a.Rung > 10 {
		v.Add("rung", "range", "lần gia hạn từ 0 (mọi lần) đến 10")
	} else if a.Rung > 0 && !slices.Contains(ladderSteps, a.Step) && a.Step != StepExtendCustody && a.Step != StepExtendDetention {
		v.AddArticle("rung", "not_extension", t.Article, "chỉ thao tác gia hạn mới có lần gia hạn")
	}
	if a.Class != "" && !a.Class.Valid() {
		v.Add("class", "enum", "loại tội phạm không hợp lệ")
	}
	for i, l := range a.Levels {
		if !l.Valid() {
			v.Add(fmt.Sprintf("levels[%d]", i), "enum", "cấp đơn vị không hợp lệ")
		}
	}
	if n := len([]rune(a.Article)); n > 200 {
		v.Add("article", "length", "điều luật tối đa 200 ký tự")
	}
	if n := len([]rune(a.Note)); n > 1000 {
		v.Add("note", "length", "ghi chú tối đa 1.000 ký tự")
	}
	return v.Err()
}
