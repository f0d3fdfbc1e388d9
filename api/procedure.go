package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// --- the transition table and the Penal Code catalog ---

type nameJSON struct {
	VI string `json:"vi"`
	EN string `json:"en"`
}

type approvalJSON struct {
	Issuers []string `json:"issuers"`
	Article string   `json:"article"`
	Levels  []string `json:"levels"`
}

type transitionJSON struct {
	Step       string        `json:"step"`
	Subject    string        `json:"subject"`
	Name       nameJSON      `json:"name"`
	From       []string      `json:"from"`
	To         *string       `json:"to"`
	Document   string        `json:"document"`
	DocName    nameJSON      `json:"document_name"`
	Issuers    []string      `json:"issuers"`
	Article    string        `json:"article"`
	Approval   *approvalJSON `json:"approval"`
	CaseStages []string      `json:"case_stages"`
	Roles      []string      `json:"roles"`
	Levels     []string      `json:"levels"`
	Guards     []string      `json:"guards"`
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func toTransitionJSON(t workflow.Transition) transitionJSON {
	j := transitionJSON{Step: string(t.Step), Subject: string(t.Subject), Name: nameJSON{t.NameVI, t.NameEN}, From: strs(t.From),
		Document: string(t.Doc), DocName: nameJSON(workflow.DocNames[t.Doc]), Issuers: strs(t.Issuers), Article: t.Article,
		CaseStages: strs(t.CaseStages), Roles: strs(t.Roles), Levels: strs(t.Levels), Guards: strs(t.Guards)}
	if t.To != "" {
		to := string(t.To)
		j.To = &to
	}
	if t.Approval != nil {
		j.Approval = &approvalJSON{Issuers: strs(t.Approval.Issuers), Article: t.Approval.Article, Levels: strs(t.Approval.Levels)}
	}
	return j
}

func (s *Server) listTransitions(c *gin.Context) {
	ts := s.Procedure.Transitions()
	items := make([]transitionJSON, len(ts))
	for i, t := range ts {
		items[i] = toTransitionJSON(t)
	}
	stages := make([]gin.H, len(domain.Stages))
	for i, st := range domain.Stages {
		stages[i] = gin.H{"stage": st, "name": nameJSON(workflow.StageNames[st]), "final": st.Final()}
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items), "stages": stages})
}

type penalClauseJSON struct {
	Article       string  `json:"article"`
	Clause        int     `json:"clause"`
	Title         string  `json:"title"`
	MinPenalty    string  `json:"min_penalty"`
	MaxPenalty    string  `json:"max_penalty"`
	Class         string  `json:"class"`
	ClassName     string  `json:"class_name"`
	EffectiveFrom string  `json:"effective_from"`
	EffectiveTo   *string `json:"effective_to"`
	Note          string  `json:"note"`
}

func (s *Server) listPenalCode(c *gin.Context) {
	cat := s.Procedure.Catalog()
	clauses := cat.Clauses()
	if a := c.Query("article"); a != "" {
		if !domain.ValidArticleRef(a) {
			s.fail(c, badRequest("tham số article là số điều (1–426), có thể kèm chữ cái", "article"))
			return
		}
		clauses = cat.Article(a)
	}
	items := make([]penalClauseJSON, len(clauses))
	for i, pc := range clauses {
		items[i] = penalClauseJSON{Article: pc.Article, Clause: pc.Clause, Title: pc.Title, MinPenalty: pc.Min.String(), MaxPenalty: pc.Max.String(),
			Class: string(pc.Class), ClassName: pc.Class.NameVI(), EffectiveFrom: pc.EffectiveFrom.Format(time.DateOnly), Note: pc.Note}
		if pc.EffectiveTo != nil {
			to := pc.EffectiveTo.Format(time.DateOnly)
			items[i].EffectiveTo = &to
		}
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

// --- decisions ---

type chargeSpecJSON struct {
	Article string `json:"article"`
	Clause  int    `json:"clause"`
	Point   string `json:"point"`
}

type personJSON struct {
	FullName    string  `json:"full_name"`
	NationalID  string  `json:"national_id"`
	BirthDate   *string `json:"birth_date"`
	Gender      string  `json:"gender"`
	Address     string  `json:"address"`
	OffenceDate string  `json:"offence_date"`
}

type measureInputJSON struct {
	Stage      string     `json:"stage"`
	StartAt    *time.Time `json:"start_at"`
	OrderedEnd *string    `json:"ordered_end"`
}

type decisionInputJSON struct {
	Version        int               `json:"version"`
	Step           string            `json:"step"`
	Issuer         string            `json:"issuer"`
	IssuerName     string            `json:"issuer_name"`
	Number         string            `json:"number"`
	Signer         string            `json:"signer"`
	IssuedOn       string            `json:"issued_on"`
	EffectiveOn    string            `json:"effective_on"`
	AccusedIDs     []string          `json:"accused_ids"`
	MeasureID      string            `json:"measure_id"`
	LegalBasis     string            `json:"legal_basis"`
	Note           string            `json:"note"`
	FileID         string            `json:"file_id"`
	RequestedOn    string            `json:"requested_on"`
	ReceivedAt     string            `json:"received_at"`
	SupersedesID   string            `json:"supersedes_id"`
	ReturnedBy     string            `json:"returned_by"`
	TargetUnitID   int64             `json:"target_unit_id"`
	TargetCaseID   string            `json:"target_case_id"`
	Charges        []chargeSpecJSON  `json:"charges"`
	ReplaceCharges bool              `json:"replace_charges"`
	Person         *personJSON       `json:"person"`
	Measure        *measureInputJSON `json:"measure"`
}

// parseDate reads a YYYY-MM-DD field as a Vietnamese calendar date, recording a format problem.
func parseDate(v *domain.Validation, field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation(time.DateOnly, s, domain.ICT)
	if err != nil {
		v.Add(field, "format", "ngày theo dạng YYYY-MM-DD")
	}
	return t
}

func (in decisionInputJSON) toService() (service.DecisionInput, error) {
	var v domain.Validation
	out := service.DecisionInput{Version: in.Version, Step: domain.Step(in.Step), Issuer: domain.IssuerBody(in.Issuer), IssuerName: in.IssuerName,
		Number: in.Number, Signer: in.Signer, IssuedOn: parseDate(&v, "issued_on", in.IssuedOn), EffectiveOn: parseDate(&v, "effective_on", in.EffectiveOn),
		AccusedIDs: in.AccusedIDs, MeasureID: in.MeasureID, LegalBasis: in.LegalBasis, Note: in.Note, FileID: in.FileID, SupersedesID: in.SupersedesID,
		ReturnedBy: in.ReturnedBy, TargetUnitID: in.TargetUnitID, TargetCaseID: in.TargetCaseID, ReplaceCharges: in.ReplaceCharges}
	for _, ch := range in.Charges {
		out.Charges = append(out.Charges, service.ChargeSpec{Article: ch.Article, Clause: ch.Clause, Point: ch.Point})
	}
	if p := in.Person; p != nil {
		pi := service.PersonInput{FullName: p.FullName, NationalID: p.NationalID, Gender: p.Gender, Address: p.Address,
			OffenceDate: parseDate(&v, "person.offence_date", p.OffenceDate)}
		if p.BirthDate != nil {
			b := parseDate(&v, "person.birth_date", *p.BirthDate)
			pi.BirthDate = &b
		}
		out.Person = &pi
	}
	if m := in.Measure; m != nil {
		mi := workflow.MeasureInput{Stage: domain.MeasureStage(m.Stage)}
		if m.StartAt != nil {
			mi.StartAt = *m.StartAt
		}
		if m.OrderedEnd != nil {
			e := parseDate(&v, "measure.ordered_end", *m.OrderedEnd)
			mi.OrderedEnd = &e
		}
		out.Measure = &mi
	}
	if in.RequestedOn != "" {
		r := parseDate(&v, "requested_on", in.RequestedOn)
		out.RequestedOn = &r
	}
	if in.ReceivedAt != "" {
		if r, err := time.Parse(time.RFC3339, in.ReceivedAt); err != nil {
			v.Add("received_at", "format", "thời điểm theo dạng RFC 3339, ví dụ 2026-11-20T09:30:00+07:00")
		} else {
			out.ReceivedAt = &r
		}
	}
	return out, v.Err()
}

type decisionJSON struct {
	ID               string   `json:"id"`
	CaseID           string   `json:"case_id"`
	Seq              int      `json:"seq"`
	Step             string   `json:"step"`
	Document         string   `json:"document"`
	DocumentName     string   `json:"document_name"`
	Number           string   `json:"number"`
	Issuer           string   `json:"issuer"`
	IssuerName       string   `json:"issuer_name"`
	Signer           string   `json:"signer"`
	IssuedOn         string   `json:"issued_on"`
	EffectiveOn      string   `json:"effective_on"`
	AccusedIDs       []string `json:"accused_ids"`
	MeasureID        string   `json:"measure_id,omitempty"`
	LegalBasis       string   `json:"legal_basis"`
	Note             string   `json:"note,omitempty"`
	FileID           string   `json:"file_id,omitempty"`
	RequestedOn      *string  `json:"requested_on"`
	ReceivedAt       *string  `json:"received_at"`
	Status           string   `json:"status"`
	RequiresApproval bool     `json:"requires_approval"`
	DecidesID        string   `json:"decides_id,omitempty"`
	Outcome          string   `json:"outcome,omitempty"`
	SupersedesID     string   `json:"supersedes_id,omitempty"`
	ReturnedBy       string   `json:"returned_by,omitempty"`
	ReplaceCharges   bool     `json:"replace_charges"`
	FromStage        string   `json:"from_stage"`
	ToStage          string   `json:"to_stage"`
	TargetUnitID     int64    `json:"target_unit_id,omitempty"`
	TargetCaseID     string   `json:"target_case_id,omitempty"`
	UnitID           int64    `json:"unit_id"`
	RecordedBy       string   `json:"recorded_by"`
	RecordedAt       string   `json:"recorded_at"`
}

func toDecisionJSON(d domain.Decision) decisionJSON {
	ids := d.AccusedIDs
	if ids == nil {
		ids = []string{}
	}
	return decisionJSON{ID: d.ID, CaseID: d.CaseID, Seq: d.Seq, Step: string(d.Step), Document: string(d.Type), DocumentName: workflow.DocNames[d.Type].VI,
		Number: d.Number, Issuer: string(d.Issuer), IssuerName: d.IssuerName, Signer: d.Signer, IssuedOn: d.IssuedOn.Format(time.DateOnly),
		EffectiveOn: d.EffectiveOn.Format(time.DateOnly), AccusedIDs: ids, MeasureID: d.MeasureID, LegalBasis: d.LegalBasis, Note: d.Note,
		FileID: d.FileID, RequestedOn: optDateString(d.RequestedOn), ReceivedAt: optInstant(d.ReceivedAt), Status: string(d.Status), RequiresApproval: d.RequiresApproval, DecidesID: d.DecidesID, Outcome: string(d.Outcome),
		SupersedesID: d.SupersedesID, ReturnedBy: d.ReturnedBy, ReplaceCharges: d.ReplaceCharges, FromStage: string(d.FromStage), ToStage: string(d.ToStage), TargetUnitID: d.TargetUnitID,
		TargetCaseID: d.TargetCaseID, UnitID: d.UnitID, RecordedBy: d.RecordedBy, RecordedAt: d.RecordedAt.In(service.VietnamTime).Format(time.RFC3339)}
}

type chargeJSON struct {
	ID          string `json:"id"`
	Article     string `json:"article"`
	Clause      int    `json:"clause"`
	Point       string `json:"point,omitempty"`
	Title       string `json:"title"`
	Class       string `json:"class"`
	Ref         string `json:"ref"`
	OffenceDate string `json:"offence_date"`
	DecisionID  string `json:"decision_id"`
	EndedByID   string `json:"ended_by,omitempty"`
	Proposed    bool   `json:"proposed"`
	Active      bool   `json:"active"`
}

type measureJSON struct {
	ID          string  `json:"id"`
	Kind        string  `json:"kind"`
	Stage       string  `json:"stage,omitempty"`
	StartAt     string  `json:"start_at"`
	OrderedEnd  *string `json:"ordered_end"`
	ExtendsID   string  `json:"extends_id,omitempty"`
	ExtensionNo int     `json:"extension_no"`
	DecisionID  string  `json:"decision_id"`
	Status      string  `json:"status"`
	EndedAt     *string `json:"ended_at"`
	EndedByID   string  `json:"ended_by,omitempty"`
}

type accusedJSON struct {
	ID                  string        `json:"id"`
	CaseID              string        `json:"case_id"`
	FullName            string        `json:"full_name"`
	NationalID          string        `json:"national_id,omitempty"`
	BirthDate           *string       `json:"birth_date"`
	Gender              string        `json:"gender,omitempty"`
	Address             string        `json:"address,omitempty"`
	OffenceDate         string        `json:"offence_date"`
	Minor               bool          `json:"minor"`
	Status              string        `json:"status"`
	Class               string        `json:"class,omitempty"`
	DecisionID          string        `json:"decision_id,omitempty"`
	CustodyDaysCredited int           `json:"custody_days_credited"`
	Charges             []chargeJSON  `json:"charges"`
	Measures            []measureJSON `json:"measures"`
}

func dateOrNil(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.In(domain.ICT).Format(time.DateOnly)
	return &s
}

func toAccusedJSON(a domain.Accused) accusedJSON {
	j := accusedJSON{ID: a.ID, CaseID: a.CaseID, FullName: a.FullName, NationalID: a.NationalID, BirthDate: dateOrNil(a.BirthDate), Gender: a.Gender,
		Address: a.Address, OffenceDate: a.OffenceDate.Format(time.DateOnly), Minor: a.Minor(), Status: string(a.Status), Class: string(a.Class()),
		DecisionID: a.DecisionID, CustodyDaysCredited: workflow.CustodyDaysCredited(a.Measures), Charges: []chargeJSON{}, Measures: []measureJSON{}}
	for _, c := range a.Charges {
		j.Charges = append(j.Charges, chargeJSON{ID: c.ID, Article: c.Article, Clause: c.Clause, Point: c.Point, Title: c.Title, Class: string(c.Class),
			Ref: c.Ref(), OffenceDate: c.OffenceDate.Format(time.DateOnly), DecisionID: c.DecisionID, EndedByID: c.EndedByID, Proposed: c.Proposed, Active: c.Active()})
	}
	for _, m := range a.Measures {
		mj := measureJSON{ID: m.ID, Kind: string(m.Kind), Stage: string(m.Stage), StartAt: m.StartAt.In(domain.ICT).Format(time.RFC3339),
			OrderedEnd: dateOrNil(m.OrderedEnd), ExtendsID: m.ExtendsID, ExtensionNo: m.ExtensionNo, DecisionID: m.DecisionID, Status: string(m.Status),
			EndedByID: m.EndedByID}
		if m.EndedAt != nil {
			e := m.EndedAt.In(domain.ICT).Format(time.RFC3339)
			mj.EndedAt = &e
		}
		j.Measures = append(j.Measures, mj)
	}
	return j
}

type decisionOutcomeJSON struct {
	Case     caseJSON      `json:"case"`
	Decision *decisionJSON `json:"decision,omitempty"`
	Accused  []accusedJSON `json:"accused"`
}

func (s *Server) writeOutcome(c *gin.Context, status int, o *service.DecisionOutcome) {
	out := decisionOutcomeJSON{Case: toCaseJSON(o.Case, true), Accused: []accusedJSON{}}
	if o.Decision.ID != "" {
		d := toDecisionJSON(o.Decision)
		out.Decision = &d
		c.Header("Location", "/api/v1/decisions/"+o.Decision.ID)
	}
	for _, a := range o.Accused {
		out.Accused = append(out.Accused, toAccusedJSON(a))
	}
	c.Header("ETag", strconv.Quote(strconv.Itoa(o.Case.Version)))
	c.JSON(status, out)
}

// recordDecision decodes a decision, lets the handler fix the parts the route implies and name
// the case, and records it. The body is read first, so a malformed request is a 400 whatever it
// points at. A route may also answer by itself (fix returns done), as the suspect registration
// does.
func (s *Server) recordDecision(c *gin.Context, fix func(*service.DecisionInput) (caseID string, done bool, err error)) {
	var in decisionInputJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	di, err := in.toService()
	if err != nil {
		s.fail(c, err)
		return
	}
	caseID, done, err := fix(&di)
	if err != nil {
		s.fail(c, err)
		return
	}
	if done {
		return
	}
	out, err := s.Procedure.Record(c.Request.Context(), principal(c), caseID, di)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeOutcome(c, http.StatusCreated, out)
}

func (s *Server) createDecision(c *gin.Context) {
	s.recordDecision(c, func(*service.DecisionInput) (string, bool, error) { return c.Param("id"), false, nil })
}

func (s *Server) getDecision(c *gin.Context) {
	d, err := s.Procedure.Decision(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, toDecisionJSON(d))
}

// createAccused institutes an accused (QĐ khởi tố bị can) or, with no step, issuer, charges or
// accused named, registers a person held before institution.
func (s *Server) createAccused(c *gin.Context) {
	s.recordDecision(c, func(di *service.DecisionInput) (string, bool, error) {
		if di.Step == "" && di.Issuer == "" && len(di.Charges) == 0 && len(di.AccusedIDs) == 0 {
			if di.Person == nil {
				return "", false, domain.Invalid("person", "required", "phải nhập thông tin người bị tạm giữ")
			}
			out, err := s.Procedure.RegisterSuspect(c.Request.Context(), principal(c), c.Param("id"), di.Version, *di.Person)
			if err != nil {
				return "", false, err
			}
			s.writeOutcome(c, http.StatusCreated, out)
			return "", true, nil
		}
		if di.Step == "" {
			di.Step = workflow.StepInstituteAccused
		}
		if di.Step != workflow.StepInstituteAccused {
			return "", false, domain.Invalid("step", "route", "đường dẫn này chỉ ghi nhận quyết định khởi tố bị can (institute_accused)")
		}
		return c.Param("id"), false, nil
	})
}

// accusedRoute records a step about one accused, on that accused's case.
func (s *Server) accusedRoute(allowed func(workflow.Transition) bool, def domain.Step, msg string) gin.HandlerFunc {
	return func(c *gin.Context) {
		s.recordDecision(c, func(di *service.DecisionInput) (string, bool, error) {
			caseID, err := s.Procedure.AccusedCase(c.Request.Context(), principal(c), c.Param("id"))
			if err != nil {
				return "", false, err
			}
			if di.Step == "" {
				if def == "" {
					return "", false, domain.Invalid("step", "required", msg)
				}
				di.Step = def
			}
			t, ok := workflow.ByStep(di.Step)
			if !ok || !allowed(t) {
				return "", false, domain.Invalid("step", "route", msg)
			}
			if len(di.AccusedIDs) > 0 && (len(di.AccusedIDs) != 1 || di.AccusedIDs[0] != c.Param("id")) {
				return "", false, domain.Invalid("accused_ids", "route", "accused_ids phải trùng với bị can trong đường dẫn")
			}
			di.AccusedIDs = []string{c.Param("id")}
			return caseID, false, nil
		})
	}
}

func (s *Server) createCharges() gin.HandlerFunc {
	return s.accusedRoute(func(t workflow.Transition) bool { return t.Step == workflow.StepChangeCharges }, workflow.StepChangeCharges,
		"đường dẫn này chỉ ghi nhận quyết định thay đổi, bổ sung quyết định khởi tố bị can (change_charges)")
}

func (s *Server) createMeasure() gin.HandlerFunc {
	return s.accusedRoute(func(t workflow.Transition) bool { return t.Subject == domain.SubjectMeasure }, "",
		"đường dẫn này chỉ ghi nhận lệnh, quyết định về biện pháp ngăn chặn")
}

// --- timeline and approvals ---

type timelineJSON struct {
	Case      caseJSON       `json:"case"`
	Class     string         `json:"class,omitempty"`
	Decisions []decisionJSON `json:"items"`
	Total     int            `json:"total"`
	Accused   []accusedJSON  `json:"accused"`
}

func (s *Server) getTimeline(c *gin.Context) {
	tl, err := s.Procedure.Timeline(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := timelineJSON{Case: toCaseJSON(tl.Case, true), Class: string(tl.Class), Decisions: []decisionJSON{}, Total: len(tl.Decisions), Accused: []accusedJSON{}}
	for _, d := range tl.Decisions {
		out.Decisions = append(out.Decisions, toDecisionJSON(d))
	}
	for _, a := range tl.Accused {
		out.Accused = append(out.Accused, toAccusedJSON(a))
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("ETag", strconv.Quote(strconv.Itoa(tl.Case.Version)))
	c.JSON(http.StatusOK, out)
}

type pendingJSON struct {
	Decision   decisionJSON `json:"decision"`
	CaseNumber string       `json:"case_number"`
	CaseCode   string       `json:"case_code"`
	Unit       unitRefJSON  `json:"unit"`
}

func (s *Server) listApprovals(c *gin.Context) {
	var f service.ApprovalFilter
	var err error
	if f.UnitID, f.IncludeSubunits, f.Limit, f.Offset, err = unitPage(c, true); err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Procedure.PendingApprovals(c.Request.Context(), principal(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]pendingJSON, len(items))
	for i, it := range items {
		out[i] = pendingJSON{Decision: toDecisionJSON(it.Decision), CaseNumber: it.CaseNumber, CaseCode: it.CaseCode, Unit: unitRefJSON{ID: it.UnitID, Code: it.UnitCode}}
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total})
}

type approvalInputJSON struct {
	Version  int    `json:"version"`
	Outcome  string `json:"outcome"`
	Number   string `json:"number"`
	Signer   string `json:"signer"`
	IssuedOn string `json:"issued_on"`
	Note     string `json:"note"`
}

func (s *Server) decideApproval(c *gin.Context) {
	var in approvalInputJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	var v domain.Validation
	issued := parseDate(&v, "issued_on", in.IssuedOn)
	if err := v.Err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.Procedure.Decide(c.Request.Context(), principal(c), c.Param("id"), service.DecideInput{Version: in.Version,
		Outcome: domain.Outcome(in.Outcome), Number: in.Number, Signer: in.Signer, IssuedOn: issued, Note: in.Note})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeOutcome(c, http.StatusCreated, out)
}

// optDateString writes an optional calendar date as YYYY-MM-DD, or null.
func optDateString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.In(service.VietnamTime).Format(time.DateOnly)
	return &s
}
