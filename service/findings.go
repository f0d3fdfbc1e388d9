package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// FindingStore keeps the procedural defects (vi phạm tố tụng) the checker found in each case and
// the recommendations (kiến nghị) and requests (yêu cầu) written about them. Every method joins the
// caller's transaction.
type FindingStore interface {
	// LockCaseFindings returns the stored findings of a case by key, open and resolved, locking
	// them until the transaction ends, so two recomputes of the same case take turns.
	LockCaseFindings(ctx context.Context, caseID string) (map[string]domain.CaseFinding, error)
	// SaveCaseFindings writes, in one statement, the findings given (insert, or update by key,
	// re-opening a resolved one) and resolves at at the open findings whose keys are in resolve.
	SaveCaseFindings(ctx context.Context, caseID string, upsert []domain.CaseFinding, resolve []string, at time.Time) error
	// ListFindings returns a page of findings of the cases in scope with the total matching.
	ListFindings(ctx context.Context, scope domain.Scope, f domain.FindingFilter) ([]domain.CaseFinding, int64, error)
	GetFinding(ctx context.Context, id int64) (domain.CaseFinding, error)
	// InsertRecommendation adds a recommendation; a second one in progress for the same finding
	// is a conflict.
	InsertRecommendation(ctx context.Context, r *domain.Recommendation) error
	GetRecommendation(ctx context.Context, id string) (domain.Recommendation, error)
	// UpdateRecommendation writes r over the row if it is still at version; otherwise a conflict.
	UpdateRecommendation(ctx context.Context, r *domain.Recommendation, version int) error
	ListRecommendations(ctx context.Context, scope domain.Scope, f domain.RecommendationFilter) ([]domain.Recommendation, int64, error)
}

// FindingRecords turns what the checker found in a case into the records the store keeps, one per
// key (the first of duplicates, which the checker does not produce but the unique key forbids).
func FindingRecords(caseID string, found []workflow.Finding, now time.Time) []domain.CaseFinding {
	out := make([]domain.CaseFinding, 0, len(found))
	seen := make(map[string]bool, len(found))
	for _, f := range found {
		if seen[f.Key] {
			continue
		}
		seen[f.Key] = true
		ids := append([]string{}, f.DecisionIDs...)
		out = append(out, domain.CaseFinding{CaseID: caseID, Key: f.Key, Code: string(f.Code), Article: f.Article, Severity: string(f.Severity),
			MessageVI: f.MessageVI, MessageEN: f.MessageEN, DecisionIDs: ids, MeasureID: f.MeasureID, AccusedID: f.AccusedID,
			Remedy: string(f.Remedy), FoundAt: now, UpdatedAt: now})
	}
	return out
}

// sameFinding reports whether a stored open finding already says what the checker says now, so
// the recompute writes nothing for it.
func sameFinding(a, b domain.CaseFinding) bool {
	return a.ResolvedAt == nil && a.Code == b.Code && a.Article == b.Article && a.Severity == b.Severity && a.MessageVI == b.MessageVI &&
		a.MessageEN == b.MessageEN && slices.Equal(a.DecisionIDs, b.DecisionIDs) && a.MeasureID == b.MeasureID && a.AccusedID == b.AccusedID &&
		a.Remedy == b.Remedy
}

// storeFindings runs the procedural-defect checker on the state the clocks were just computed
// from and keeps its findings, in the same transaction: the case's findings are locked, compared
// with what the checker says, and only what changed is written (one statement), so a recompute
// that finds the same defects writes nothing. A finding no longer produced is resolved; one that
// comes back is open again on the same row.
func (s *Procedure) storeFindings(ctx context.Context, cc *caseContext, now time.Time) error {
	if s.findings == nil {
		return nil
	}
	caseID := cc.cs.ID
	old, err := s.findings.LockCaseFindings(ctx, caseID)
	if err != nil {
		return err
	}
	recs := FindingRecords(caseID, workflow.Defects(cc.state, cc.state.Calendar, now), now)
	keep := make(map[string]bool, len(recs))
	var upsert []domain.CaseFinding
	for _, r := range recs {
		keep[r.Key] = true
		if prev, had := old[r.Key]; had && sameFinding(prev, r) {
			continue
		}
		upsert = append(upsert, r)
	}
	var resolve []string
	for k, prev := range old {
		if !keep[k] && prev.Open() {
			resolve = append(resolve, k)
		}
	}
	if len(upsert) == 0 && len(resolve) == 0 {
		return nil
	}
	slices.Sort(resolve)
	return s.findings.SaveCaseFindings(ctx, caseID, upsert, resolve, now)
}

// RecomputeHeldPastEnd recomputes, at now, the cases whose custody or detention clock the monitor
// has found run out with the order still in force. Every other defect comes from the record and
// appears with the change that makes it; this one appears by the passing of time alone, so the
// monitor's clock.missed event of the measure reaches FindingsChannel, which calls this. Cases are
// recomputed in id order (the order every writer locks them in), 100 to a transaction. It
// returns how many.
func (s *Procedure) RecomputeHeldPastEnd(ctx context.Context, caseIDs []string, now time.Time) (int, error) {
	if s.findings == nil || len(caseIDs) == 0 {
		return 0, nil
	}
	ids := slices.Clone(caseIDs)
	slices.Sort(ids)
	for start := 0; start < len(ids); start += 100 {
		batch := ids[start:min(start+100, len(ids))]
		err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
			for _, id := range batch {
				if err := s.proc.LockCase(ctx, id); err != nil {
					return err
				}
				if err := s.recomputeClocks(ctx, id, now); err != nil {
					return fmt.Errorf("recompute case %s: %w", id, err)
				}
			}
			return nil
		})
		if err != nil {
			return start, err
		}
	}
	return len(ids), nil
}

// validDefectCodes refuses codes the checker does not know.
func validDefectCodes(field string, codes []string) error {
	for _, c := range codes {
		if !slices.Contains(workflow.DefectCodes, workflow.DefectCode(c)) {
			return domain.Invalid(field, "enum", "không có loại vi phạm tố tụng "+c)
		}
	}
	return nil
}

// CaseFindings returns the findings of one case the caller may read, the open ones only unless
// includeResolved; the read is audited like the case's deadlines.
func (s *Procedure) CaseFindings(ctx context.Context, p *Principal, caseID string, includeResolved bool) ([]domain.CaseFinding, error) {
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	var out []domain.CaseFinding
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		scope := s.authz.Scope(p, domain.ActCaseRead)
		if !scope.PermitsCase(cs.Ref(p.User.ID)) {
			denied = cs
			return nil
		}
		f := domain.FindingFilter{CaseID: &caseID, Limit: 1000}
		if !includeResolved {
			open := true
			f.Open = &open
		}
		if out, _, err = s.findings.ListFindings(ctx, scope, f); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "case.findings", "case", caseID, cs.UnitID, domain.OutcomeSuccess, ""))
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.findings", "case", caseID, denied.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, err
		}
		return nil, domain.NotFound("hồ sơ")
	}
	return out, nil
}

// ListFindings lists the findings of the cases the caller may read, violations before warnings
// and the most recently found first: the chief's view of what has gone wrong across a unit or a
// subtree. The list is audited like a case list.
func (s *Procedure) ListFindings(ctx context.Context, p *Principal, f domain.FindingFilter) ([]domain.CaseFinding, int64, error) {
	if err := checkPage(&f.Limit, &f.Offset); err != nil {
		return nil, 0, err
	}
	if err := validDefectCodes("code", f.Codes); err != nil {
		return nil, 0, err
	}
	for _, sv := range f.Severities {
		if sv != string(workflow.SeverityViolation) && sv != string(workflow.SeverityWarning) {
			return nil, 0, domain.Invalid("severity", "enum", "mức độ là violation (vi phạm) hoặc warning (cảnh báo)")
		}
	}
	return scopedList(ctx, s, p, "finding.list", scopedFilter{unitID: f.UnitID, caseID: f.CaseID},
		map[string]any{"unit_id": f.UnitID, "code": f.Codes, "open": f.Open},
		func(ctx context.Context, scope domain.Scope) ([]domain.CaseFinding, int64, error) {
			return s.findings.ListFindings(ctx, scope, f)
		})
}

// The legal basis of the procuracy's act, written into every generated draft: Điều 166 BLTTHS
// gives the procuracy supervising an investigation the power to recommend (kiến nghị) that the
// investigating body remedy breaches and to request (yêu cầu) it to; Điều 167 makes the body
// carry out the procuracy's requests.
const (
	basisRecommendation = "Điều 166 Bộ luật Tố tụng hình sự năm 2015"
	basisRequest        = "Điều 166 và Điều 167 Bộ luật Tố tụng hình sự năm 2015"
	defaultAddressee    = "Cơ quan điều tra"
)

// DraftText writes the starting text of a recommendation or request about a finding: a subject
// line naming the case and a body that states the defect as the checker found it, the article it
// breaks and what the procuracy asks. The prosecutor edits it before it is sent.
func DraftText(kind domain.RecommendationKind, cs *domain.Case, f domain.CaseFinding, addressee string, due *time.Time) (subject, body string) {
	what := "vụ án số " + cs.Number
	if cs.Kind == domain.KindReport {
		what = "nguồn tin về tội phạm số " + cs.Number
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Kính gửi: %s\n\n", addressee)
	basis := basisRecommendation
	if kind == domain.KindRequest {
		basis = basisRequest
	}
	fmt.Fprintf(&b, "Căn cứ %s;\n\n", basis)
	fmt.Fprintf(&b, "Qua kiểm sát việc tuân theo pháp luật trong hoạt động tố tụng đối với %s (mã %s), Viện kiểm sát phát hiện vi phạm sau:\n\n", what, cs.Code)
	fmt.Fprintf(&b, "%s\n\nViệc này không đúng quy định tại %s.\n\n", strings.TrimSpace(f.MessageVI), f.Article)
	reply := "thông báo kết quả cho Viện kiểm sát"
	if due != nil {
		reply += " trước ngày " + due.In(domain.ICT).Format("02/01/2006")
	}
	if kind == domain.KindRequest {
		subject = "Yêu cầu khắc phục vi phạm trong " + what
		fmt.Fprintf(&b, "Viện kiểm sát yêu cầu %s khắc phục ngay vi phạm nêu trên và %s.", addressee, reply)
	} else {
		subject = "Kiến nghị khắc phục vi phạm trong " + what
		fmt.Fprintf(&b, "Viện kiểm sát kiến nghị %s chỉ đạo khắc phục vi phạm nêu trên, có biện pháp phòng ngừa vi phạm tương tự và %s.", addressee, reply)
	}
	return subject, b.String()
}

// DraftInput is what a prosecutor may say when drafting from a finding; everything is optional:
// the kind defaults to the finding's suggested remedy, the addressee to the body that issued the
// offending decision.
type DraftInput struct {
	Kind      domain.RecommendationKind
	Addressee string
	DueOn     *time.Time
}

// RecommendationInput is a recommendation written freely, without a finding.
type RecommendationInput struct {
	Kind      domain.RecommendationKind
	Addressee string
	Subject   string
	Body      string
	DueOn     *time.Time
}

// textLimits are the lengths the recommendations table accepts.
const (
	maxAddressee  = 300
	maxSubject    = 500
	maxBody       = 20000
	maxNumber     = 100
	maxAnswerNote = 4000
)

func checkText(v *domain.Validation, field, val string, required bool, max int) {
	n := len([]rune(strings.TrimSpace(val)))
	switch {
	case required && n == 0:
		v.Add(field, "required", "không được để trống")
	case n > max:
		v.Add(field, "length", fmt.Sprintf("tối đa %d ký tự", max))
	}
}

// checkDue refuses a reply date in the past: a letter cannot ask for an answer before it is written.
func checkDue(v *domain.Validation, due *time.Time, now time.Time) {
	if due != nil && domain.DateOf(*due).Before(domain.DateOf(now)) {
		v.Add("due_on", "not_past", "hạn trả lời không được trước ngày hôm nay")
	}
}

// writableCase loads a case for a write on one of its recommendations: not found when the caller
// may not read it, forbidden (with the case, for the denied audit row) when they may read it but
// hold no case.decide on it.
func (s *Procedure) writableCase(ctx context.Context, p *Principal, caseID string) (*domain.Case, bool, error) {
	cs, err := s.cases.GetCase(ctx, caseID)
	if err != nil {
		return nil, false, err
	}
	if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cs.Ref(p.User.ID)) {
		return nil, false, domain.NotFound("hồ sơ")
	}
	return cs, s.decidesAtCaseUnit(p, cs, false), nil
}

// decidesAtCaseUnit reports whether the caller holds case.decide on the case through a grant at
// the case's own unit (a prosecutor on its team, its chief or deputy chiefs; with leaders, only
// those). The procuracy in charge of the case writes to the investigating body about it, exactly
// as only it records the case's decisions: a superior unit supervises but does not act here.
func (s *Procedure) decidesAtCaseUnit(p *Principal, cs *domain.Case, leaders bool) bool {
	ref := cs.Ref(p.User.ID)
	for _, e := range s.authz.Scope(p, domain.ActCaseDecide).Entries {
		if e.UnitID != cs.UnitID || (leaders && e.Role != domain.RoleChief && e.Role != domain.RoleDeputyChief) {
			continue
		}
		if (domain.Scope{UserID: p.User.ID, Action: domain.ActCaseDecide, Entries: []domain.ScopeEntry{e}}).PermitsCase(ref) {
			return true
		}
	}
	return false
}

// leads reports whether the caller is a chief or deputy chief (viện trưởng, phó viện trưởng) of
// the case's unit: only a leader signs what the procuracy sends out.
func (s *Procedure) leads(p *Principal, cs *domain.Case) bool {
	return s.decidesAtCaseUnit(p, cs, true)
}

var errNoRecommendationRight = domain.Forbidden("bạn không có quyền lập hoặc sửa kiến nghị, yêu cầu của hồ sơ này")

// DraftFromFinding writes a draft recommendation or request about a finding, its text generated
// from the finding's message and article. The finding's remedy gives the kind unless the caller
// names one; a finding with no remedy needs the caller to choose. A finding with a recommendation
// in progress gets no second one (409).
func (s *Procedure) DraftFromFinding(ctx context.Context, p *Principal, findingID int64, in DraftInput) (*domain.Recommendation, error) {
	now := s.clock.Now()
	var out *domain.Recommendation
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		f, err := s.findings.GetFinding(ctx, findingID)
		if err != nil {
			return err
		}
		cs, ok, err := s.writableCase(ctx, p, f.CaseID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return domain.NotFound("phát hiện vi phạm")
		} else if err != nil {
			return err
		}
		if !ok {
			denied = cs
			return nil
		}
		var v domain.Validation
		kind := in.Kind
		switch {
		case kind == "" && f.Remedy == "":
			v.Add("kind", "required", "phát hiện này không gợi ý kiến nghị hay yêu cầu: hãy chọn kind là recommendation (kiến nghị) hoặc request (yêu cầu)")
		case kind == "":
			kind = domain.RecommendationKind(f.Remedy)
		case !kind.Valid():
			v.Add("kind", "enum", "kind là recommendation (kiến nghị) hoặc request (yêu cầu)")
		}
		checkText(&v, "addressee", in.Addressee, false, maxAddressee)
		checkDue(&v, in.DueOn, now)
		if err := v.Err(); err != nil {
			return err
		}
		addressee := strings.TrimSpace(in.Addressee)
		if addressee == "" {
			if addressee, err = s.addresseeOf(ctx, f); err != nil {
				return err
			}
		}
		subject, body := DraftText(kind, cs, f, addressee, in.DueOn)
		id := f.ID
		r := &domain.Recommendation{ID: mustUUIDv7(), CaseID: cs.ID, FindingID: &id, Kind: kind, Addressee: addressee, Subject: subject, Body: body,
			Status: domain.RecDraft, DueOn: dateOnly(in.DueOn), CreatedBy: p.User.ID, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.findings.InsertRecommendation(ctx, r); err != nil {
			if domain.ErrorCodeOf(err) == domain.CodeConflict {
				return &domain.Error{Code: domain.CodeConflict, Message: "phát hiện này đã có kiến nghị, yêu cầu đang được xử lý",
					Details: []domain.Detail{{Field: "finding_id", Rule: "open_recommendation"}}, Err: err}
			}
			return err
		}
		detail, _ := json.Marshal(map[string]any{"recommendation": r.ID, "finding": f.ID, "code": f.Code, "kind": kind})
		if err := s.audit.Record(ctx, p.audit(now, "recommendation.create", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		out, err = s.recommendationRead(ctx, r.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "recommendation.create", "case", denied.ID, denied.UnitID, domain.OutcomeDenied,
			fmt.Sprintf(`{"finding":%d}`, findingID))); err != nil {
			return nil, err
		}
		return nil, errNoRecommendationRight
	}
	return out, nil
}

// addresseeOf names the body that issued the finding's offending decision, when the record says
// which; otherwise the investigating body in general, for the prosecutor to complete.
func (s *Procedure) addresseeOf(ctx context.Context, f domain.CaseFinding) (string, error) {
	if len(f.DecisionIDs) == 0 {
		return defaultAddressee, nil
	}
	d, err := s.proc.GetDecision(ctx, f.DecisionIDs[0])
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return defaultAddressee, nil
	} else if err != nil {
		return "", err
	}
	if d.Issuer == domain.IssuerInvestigation && strings.TrimSpace(d.IssuerName) != "" {
		return strings.TrimSpace(d.IssuerName), nil
	}
	return defaultAddressee, nil
}

func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := domain.DateOf(*t)
	return &d
}

// DraftRecommendation writes a draft recommendation or request on a case without a finding: the
// prosecutor supplies the whole text.
func (s *Procedure) DraftRecommendation(ctx context.Context, p *Principal, caseID string, in RecommendationInput) (*domain.Recommendation, error) {
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	var out *domain.Recommendation
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, ok, err := s.writableCase(ctx, p, caseID)
		if err != nil {
			return err
		}
		if !ok {
			denied = cs
			return nil
		}
		var v domain.Validation
		if !in.Kind.Valid() {
			if in.Kind == "" {
				v.Add("kind", "required", "phải chọn kind là recommendation (kiến nghị) hoặc request (yêu cầu)")
			} else {
				v.Add("kind", "enum", "kind là recommendation (kiến nghị) hoặc request (yêu cầu)")
			}
		}
		checkText(&v, "addressee", in.Addressee, true, maxAddressee)
		checkText(&v, "subject", in.Subject, true, maxSubject)
		checkText(&v, "body", in.Body, true, maxBody)
		checkDue(&v, in.DueOn, now)
		if err := v.Err(); err != nil {
			return err
		}
		r := &domain.Recommendation{ID: mustUUIDv7(), CaseID: cs.ID, Kind: in.Kind, Addressee: strings.TrimSpace(in.Addressee),
			Subject: strings.TrimSpace(in.Subject), Body: strings.TrimSpace(in.Body), Status: domain.RecDraft, DueOn: dateOnly(in.DueOn),
			CreatedBy: p.User.ID, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.findings.InsertRecommendation(ctx, r); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"recommendation": r.ID, "kind": r.Kind})
		if err := s.audit.Record(ctx, p.audit(now, "recommendation.create", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		out, err = s.recommendationRead(ctx, r.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "recommendation.create", "case", denied.ID, denied.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, err
		}
		return nil, errNoRecommendationRight
	}
	return out, nil
}

// recommendationRead reads a recommendation back with its case's number and unit.
func (s *Procedure) recommendationRead(ctx context.Context, id string) (*domain.Recommendation, error) {
	r, err := s.findings.GetRecommendation(ctx, id)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Recommendation returns one recommendation of a case the caller may read; the read is audited.
func (s *Procedure) Recommendation(ctx context.Context, p *Principal, id string) (*domain.Recommendation, error) {
	if !validUUID(id) {
		return nil, domain.NotFound("kiến nghị, yêu cầu")
	}
	now := s.clock.Now()
	var out *domain.Recommendation
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		r, err := s.findings.GetRecommendation(ctx, id)
		if err != nil {
			return err
		}
		cs, err := s.cases.GetCase(ctx, r.CaseID)
		if err != nil {
			return err
		}
		if !s.authz.Scope(p, domain.ActCaseRead).PermitsCase(cs.Ref(p.User.ID)) {
			denied = cs
			return nil
		}
		out = &r
		return s.audit.Record(ctx, p.audit(now, "recommendation.read", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, fmt.Sprintf(`{"recommendation":%q}`, id)))
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "recommendation.read", "case", denied.ID, denied.UnitID, domain.OutcomeDenied,
			fmt.Sprintf(`{"recommendation":%q}`, id))); err != nil {
			return nil, err
		}
		return nil, domain.NotFound("kiến nghị, yêu cầu")
	}
	return out, nil
}

// ListRecommendations lists the recommendations and requests of the cases the caller may read, the
// most recently written first. The list is audited like a case list.
func (s *Procedure) ListRecommendations(ctx context.Context, p *Principal, f domain.RecommendationFilter) ([]domain.Recommendation, int64, error) {
	if err := checkPage(&f.Limit, &f.Offset); err != nil {
		return nil, 0, err
	}
	for _, st := range f.Statuses {
		if !domain.RecommendationStatus(st).Valid() {
			return nil, 0, domain.Invalid("status", "enum", "trạng thái là draft, sent, answered, resolved hoặc withdrawn")
		}
	}
	for _, k := range f.Kinds {
		if !domain.RecommendationKind(k).Valid() {
			return nil, 0, domain.Invalid("kind", "enum", "kind là recommendation (kiến nghị) hoặc request (yêu cầu)")
		}
	}
	return scopedList(ctx, s, p, "recommendation.list", scopedFilter{unitID: f.UnitID, caseID: f.CaseID},
		map[string]any{"unit_id": f.UnitID, "status": f.Statuses, "kind": f.Kinds},
		func(ctx context.Context, scope domain.Scope) ([]domain.Recommendation, int64, error) {
			return s.findings.ListRecommendations(ctx, scope, f)
		})
}

// UpdateRecommendation edits a draft's text and moves a recommendation along its lifecycle: draft
// → sent (with its number and date, by a chief or deputy chief, who sign what the procuracy sends
// out) → answered (with what the addressee answered) → resolved; a draft or a sent one may be
// withdrawn. The caller must name the version they read: a stale one is a conflict, never an
// overwrite. An illegal move is a 422 naming the field status and the rule transition.
func (s *Procedure) UpdateRecommendation(ctx context.Context, p *Principal, id string, in domain.RecommendationPatch) (*domain.Recommendation, error) {
	if !validUUID(id) {
		return nil, domain.NotFound("kiến nghị, yêu cầu")
	}
	now := s.clock.Now()
	var out *domain.Recommendation
	var denied *domain.Case
	var deniedErr = errNoRecommendationRight
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		r, err := s.findings.GetRecommendation(ctx, id)
		if err != nil {
			return err
		}
		cs, ok, err := s.writableCase(ctx, p, r.CaseID)
		if domain.ErrorCodeOf(err) == domain.CodeNotFound {
			return domain.NotFound("kiến nghị, yêu cầu")
		} else if err != nil {
			return err
		}
		if !ok {
			denied = cs
			return nil
		}
		// Sending is the leaders' act: a prosecutor asking for it is refused before anything
		// about the request is judged.
		if in.Status != nil && *in.Status == domain.RecSent && r.Status == domain.RecDraft && !s.leads(p, cs) {
			denied, deniedErr = cs, domain.Forbidden("chỉ Viện trưởng hoặc Phó Viện trưởng được ban hành kiến nghị, yêu cầu")
			return nil
		}
		if in.Version <= 0 {
			return domain.Invalid("version", "required", "phải gửi version của kiến nghị, yêu cầu đã đọc")
		}
		if in.Version != r.Version {
			return &domain.Error{Code: domain.CodeConflict, Message: "kiến nghị, yêu cầu đã được người khác cập nhật; hãy tải lại và thử lại",
				Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
		}
		from := r.Status
		if _, err := applyRecommendationPatch(&r, in, now); err != nil {
			return err
		}
		r.UpdatedAt = now
		if err := s.findings.UpdateRecommendation(ctx, &r, in.Version); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"recommendation": r.ID, "from": from, "to": r.Status, "version": r.Version})
		if err := s.audit.Record(ctx, p.audit(now, "recommendation.update", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		out, err = s.recommendationRead(ctx, r.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "recommendation.update", "case", denied.ID, denied.UnitID, domain.OutcomeDenied,
			fmt.Sprintf(`{"recommendation":%q}`, id))); err != nil {
			return nil, err
		}
		return nil, deniedErr
	}
	return out, nil
}

// applyRecommendationPatch checks a patch against the recommendation as it stands and applies it,
// returning the status it moves to. Every problem is reported at once.
func applyRecommendationPatch(r *domain.Recommendation, in domain.RecommendationPatch, now time.Time) (domain.RecommendationStatus, error) {
	var v domain.Validation
	next := r.Status
	if in.Status != nil {
		switch {
		case !in.Status.Valid():
			v.Add("status", "enum", "trạng thái là draft, sent, answered, resolved hoặc withdrawn")
		case *in.Status == r.Status:
		case !r.Status.CanMoveTo(*in.Status):
			allowed := strs(r.Status.MovesFrom())
			msg := fmt.Sprintf("không thể chuyển từ %s sang %s", r.Status, *in.Status)
			if len(allowed) > 0 {
				msg += "; chỉ có thể chuyển sang " + strings.Join(allowed, ", ")
			} else {
				msg += ": kiến nghị, yêu cầu đã kết thúc"
			}
			v.Add("status", "transition", msg)
		default:
			next = *in.Status
		}
	}
	text := in.Kind != nil || in.Addressee != nil || in.Subject != nil || in.Body != nil
	if in.Status == nil && !text && in.Number == nil && in.SentOn == nil && in.DueOn == nil && in.AnswerNote == nil {
		v.Add("", "empty_patch", "không có gì để thay đổi")
	}
	// The text is the draft's: once sent, what was sent is what the addressee has.
	if r.Status != domain.RecDraft {
		for _, f := range []struct {
			name string
			set  bool
		}{{"kind", in.Kind != nil}, {"addressee", in.Addressee != nil}, {"subject", in.Subject != nil}, {"body", in.Body != nil}, {"due_on", in.DueOn != nil}} {
			if f.set {
				v.Add(f.name, "not_draft", "chỉ sửa được nội dung khi kiến nghị, yêu cầu còn là dự thảo")
			}
		}
	}
	sending := next == domain.RecSent && r.Status == domain.RecDraft
	if !sending {
		if in.Number != nil {
			v.Add("number", "only_when_sending", "số văn bản chỉ ghi khi chuyển sang sent (đã gửi)")
		}
		if in.SentOn != nil {
			v.Add("sent_on", "only_when_sending", "ngày gửi chỉ ghi khi chuyển sang sent (đã gửi)")
		}
	}
	answering := next == domain.RecAnswered && r.Status == domain.RecSent
	if !answering && in.AnswerNote != nil {
		v.Add("answer_note", "only_when_answering", "nội dung trả lời chỉ ghi khi chuyển sang answered (đã trả lời)")
	}
	if in.Kind != nil && !in.Kind.Valid() {
		v.Add("kind", "enum", "kind là recommendation (kiến nghị) hoặc request (yêu cầu)")
	}
	if in.Addressee != nil {
		checkText(&v, "addressee", *in.Addressee, true, maxAddressee)
	}
	if in.Subject != nil {
		checkText(&v, "subject", *in.Subject, true, maxSubject)
	}
	if in.Body != nil {
		checkText(&v, "body", *in.Body, true, maxBody)
	}
	if in.DueOn != nil && r.Status == domain.RecDraft {
		checkDue(&v, in.DueOn, now)
	}
	if sending {
		if in.Number == nil {
			v.Add("number", "required", "phải ghi số văn bản khi gửi")
		} else {
			checkText(&v, "number", *in.Number, true, maxNumber)
		}
		switch {
		case in.SentOn == nil:
			v.Add("sent_on", "required", "phải ghi ngày gửi")
		case domain.DateOf(*in.SentOn).After(domain.DateOf(now)):
			v.Add("sent_on", "not_future", "ngày gửi không được ở tương lai")
		}
		due := r.DueOn
		if in.DueOn != nil {
			due = in.DueOn
		}
		if due != nil && in.SentOn != nil && domain.DateOf(*due).Before(domain.DateOf(*in.SentOn)) {
			v.Add("due_on", "date_order", "hạn trả lời không được trước ngày gửi")
		}
	}
	if answering {
		if in.AnswerNote == nil {
			v.Add("answer_note", "required", "phải ghi nội dung trả lời của cơ quan nhận kiến nghị, yêu cầu")
		} else {
			checkText(&v, "answer_note", *in.AnswerNote, true, maxAnswerNote)
		}
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	if in.Kind != nil {
		r.Kind = *in.Kind
	}
	if in.Addressee != nil {
		r.Addressee = strings.TrimSpace(*in.Addressee)
	}
	if in.Subject != nil {
		r.Subject = strings.TrimSpace(*in.Subject)
	}
	if in.Body != nil {
		r.Body = strings.TrimSpace(*in.Body)
	}
	if in.DueOn != nil {
		r.DueOn = dateOnly(in.DueOn)
	}
	if sending {
		r.Number, r.SentOn = strings.TrimSpace(*in.Number), dateOnly(in.SentOn)
	}
	if answering {
		r.AnswerNote, r.AnsweredAt = strings.TrimSpace(*in.AnswerNote), &now
	}
	if next != r.Status && (next == domain.RecResolved || next == domain.RecWithdrawn) {
		r.ClosedAt = &now
	}
	r.Status = next
	return next, nil
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// FindingsChannel is the outbox channel that brings a case's findings up to date when time alone
// made a defect: a custody or detention clock run out with the order still in force (held past
// the ordered end). It recomputes the case in the dispatcher's transaction, so the finding and
// the receipt commit together; the sweep itself stays a handful of statements however many
// orders ran out, and a failure is retried like any delivery.
type FindingsChannel struct {
	Procedure *Procedure
	Clock     Clock
}

// Name is the channel's receipt name.
func (FindingsChannel) Name() string { return "findings" }

// Deliver recomputes the case of a measure's missed clock; other events need nothing.
func (c FindingsChannel) Deliver(ctx context.Context, ev domain.OutboxEvent) (string, error) {
	var p ClockEventPayload
	if ev.Topic != TopicClockMissed || json.Unmarshal(ev.Payload, &p) != nil || p.Subject != "measure" || p.CaseID == "" {
		return "not a measure run out", nil
	}
	if _, err := c.Procedure.RecomputeHeldPastEnd(ctx, []string{p.CaseID}, c.Clock.Now()); err != nil {
		return "", err
	}
	return "recomputed", nil
}
