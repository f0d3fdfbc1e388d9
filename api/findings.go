package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

// --- procedural defects (vi phạm tố tụng) and the recommendations (kiến nghị) and requests
// (yêu cầu) written about them ---

type findingJSON struct {
	ID          int64       `json:"id"`
	CaseID      string      `json:"case_id"`
	CaseNumber  string      `json:"case_number"`
	CaseCode    string      `json:"case_code"`
	Unit        unitRefJSON `json:"unit"`
	Key         string      `json:"key"`
	Code        string      `json:"code"`
	Article     string      `json:"article"`
	Severity    string      `json:"severity"`
	Message     nameJSON    `json:"message"`
	DecisionIDs []string    `json:"decision_ids"`
	MeasureID   *string     `json:"measure_id"`
	AccusedID   *string     `json:"accused_id"`
	Remedy      *string     `json:"remedy"`
	Open        bool        `json:"open"`
	FoundAt     string      `json:"found_at"`
	ResolvedAt  *string     `json:"resolved_at"`
}

func toFindingJSON(f domain.CaseFinding) findingJSON {
	ids := f.DecisionIDs
	if ids == nil {
		ids = []string{}
	}
	return findingJSON{ID: f.ID, CaseID: f.CaseID, CaseNumber: f.CaseNumber, CaseCode: f.CaseCode, Unit: unitRefJSON{ID: f.UnitID, Code: f.UnitCode},
		Key: f.Key, Code: f.Code, Article: f.Article, Severity: f.Severity, Message: nameJSON{f.MessageVI, f.MessageEN}, DecisionIDs: ids,
		MeasureID: nonEmpty(f.MeasureID), AccusedID: nonEmpty(f.AccusedID), Remedy: nonEmpty(f.Remedy), Open: f.Open(),
		FoundAt: ictInstant(f.FoundAt), ResolvedAt: optInstant(f.ResolvedAt)}
}

func toFindingsJSON(fs []domain.CaseFinding) []findingJSON {
	out := make([]findingJSON, len(fs))
	for i, f := range fs {
		out[i] = toFindingJSON(f)
	}
	return out
}

type caseFindingsJSON struct {
	CaseID string        `json:"case_id"`
	Items  []findingJSON `json:"items"`
	Total  int           `json:"total"`
}

// getCaseFindings answers GET /cases/{id}/findings: the case's open findings, or its whole history
// with include_resolved=true.
func (s *Server) getCaseFindings(c *gin.Context) {
	all, err := queryBool(c, "include_resolved", false)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, err := s.Procedure.CaseFindings(c.Request.Context(), principal(c), c.Param("id"), all)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, caseFindingsJSON{CaseID: c.Param("id"), Items: toFindingsJSON(items), Total: len(items)})
}

// listFindings answers GET /findings across the caller's scope. Open findings only by default;
// open=false lists the resolved ones.
func (s *Server) listFindings(c *gin.Context) {
	var f domain.FindingFilter
	var err error
	if f.UnitID, f.IncludeSubunits, f.Limit, f.Offset, err = unitPage(c, true); err != nil {
		s.fail(c, err)
		return
	}
	f.Codes, f.Severities = queryList(c, "code"), queryList(c, "severity")
	open, err := queryBool(c, "open", true)
	if err != nil {
		s.fail(c, err)
		return
	}
	f.Open = &open
	if v := c.Query("case_id"); v != "" {
		f.CaseID = &v
	}
	items, total, err := s.Procedure.ListFindings(c.Request.Context(), principal(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, gin.H{"items": toFindingsJSON(items), "total": total})
}

type recommendationJSON struct {
	ID           string      `json:"id"`
	CaseID       string      `json:"case_id"`
	CaseNumber   string      `json:"case_number"`
	CaseCode     string      `json:"case_code"`
	Unit         unitRefJSON `json:"unit"`
	FindingID    *int64      `json:"finding_id"`
	FindingCode  *string     `json:"finding_code"`
	Kind         string      `json:"kind"`
	Addressee    string      `json:"addressee"`
	Subject      string      `json:"subject"`
	Body         string      `json:"body"`
	Status       string      `json:"status"`
	NextStatuses []string    `json:"next_statuses"`
	Number       *string     `json:"number"`
	SentOn       *string     `json:"sent_on"`
	DueOn        *string     `json:"due_on"`
	AnswerNote   *string     `json:"answer_note"`
	AnsweredAt   *string     `json:"answered_at"`
	ClosedAt     *string     `json:"closed_at"`
	CreatedBy    string      `json:"created_by"`
	CreatedAt    string      `json:"created_at"`
	UpdatedAt    string      `json:"updated_at"`
	Version      int         `json:"version"`
}

func toRecommendationJSON(r domain.Recommendation) recommendationJSON {
	next := []string{}
	for _, st := range r.Status.MovesFrom() {
		next = append(next, string(st))
	}
	return recommendationJSON{ID: r.ID, CaseID: r.CaseID, CaseNumber: r.CaseNumber, CaseCode: r.CaseCode, Unit: unitRefJSON{ID: r.UnitID, Code: r.UnitCode},
		FindingID: r.FindingID, FindingCode: nonEmpty(r.FindingCode), Kind: string(r.Kind), Addressee: r.Addressee, Subject: r.Subject, Body: r.Body,
		Status: string(r.Status), NextStatuses: next, Number: nonEmpty(r.Number), SentOn: dateOrNil(r.SentOn), DueOn: dateOrNil(r.DueOn),
		AnswerNote: nonEmpty(r.AnswerNote), AnsweredAt: optInstant(r.AnsweredAt), ClosedAt: optInstant(r.ClosedAt), CreatedBy: r.CreatedBy,
		CreatedAt: ictInstant(r.CreatedAt), UpdatedAt: ictInstant(r.UpdatedAt), Version: r.Version}
}

// optDate reads an optional YYYY-MM-DD field of a body, recording a format problem.
func optDate(v *domain.Validation, field string, s *string) *time.Time {
	if s == nil || *s == "" {
		return nil
	}
	t := parseDate(v, field, *s)
	if t.IsZero() {
		return nil
	}
	return &t
}

type draftFromFindingJSON struct {
	Kind      string  `json:"kind"`
	Addressee string  `json:"addressee"`
	DueOn     *string `json:"due_on"`
}

// draftFromFinding answers POST /findings/{id}/recommendations: a draft generated from the finding.
func (s *Server) draftFromFinding(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, domain.NotFound("phát hiện vi phạm"))
		return
	}
	var in draftFromFindingJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	var v domain.Validation
	due := optDate(&v, "due_on", in.DueOn)
	if err := v.Err(); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Procedure.DraftFromFinding(c.Request.Context(), principal(c), id, service.DraftInput{Kind: domain.RecommendationKind(in.Kind),
		Addressee: in.Addressee, DueOn: due})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/recommendations/"+r.ID)
	c.JSON(http.StatusCreated, toRecommendationJSON(*r))
}

type createRecommendationJSON struct {
	Kind      string  `json:"kind"`
	Addressee string  `json:"addressee"`
	Subject   string  `json:"subject"`
	Body      string  `json:"body"`
	DueOn     *string `json:"due_on"`
}

// createRecommendation answers POST /cases/{id}/recommendations: a draft written freely.
func (s *Server) createRecommendation(c *gin.Context) {
	var in createRecommendationJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	var v domain.Validation
	due := optDate(&v, "due_on", in.DueOn)
	if err := v.Err(); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Procedure.DraftRecommendation(c.Request.Context(), principal(c), c.Param("id"), service.RecommendationInput{
		Kind: domain.RecommendationKind(in.Kind), Addressee: in.Addressee, Subject: in.Subject, Body: in.Body, DueOn: due})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/recommendations/"+r.ID)
	c.JSON(http.StatusCreated, toRecommendationJSON(*r))
}

// listRecommendations answers GET /recommendations across the caller's scope, newest first.
func (s *Server) listRecommendations(c *gin.Context) {
	var f domain.RecommendationFilter
	var err error
	if f.UnitID, f.IncludeSubunits, f.Limit, f.Offset, err = unitPage(c, true); err != nil {
		s.fail(c, err)
		return
	}
	f.Statuses, f.Kinds = queryList(c, "status"), queryList(c, "kind")
	if v := c.Query("case_id"); v != "" {
		f.CaseID = &v
	}
	items, total, err := s.Procedure.ListRecommendations(c.Request.Context(), principal(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]recommendationJSON, len(items))
	for i, r := range items {
		out[i] = toRecommendationJSON(r)
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total})
}

func (s *Server) getRecommendation(c *gin.Context) {
	r, err := s.Procedure.Recommendation(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("ETag", `"`+strconv.Itoa(r.Version)+`"`)
	c.JSON(http.StatusOK, toRecommendationJSON(*r))
}

type patchRecommendationJSON struct {
	Version    int     `json:"version"`
	Status     *string `json:"status"`
	Kind       *string `json:"kind"`
	Addressee  *string `json:"addressee"`
	Subject    *string `json:"subject"`
	Body       *string `json:"body"`
	Number     *string `json:"number"`
	SentOn     *string `json:"sent_on"`
	DueOn      *string `json:"due_on"`
	AnswerNote *string `json:"answer_note"`
}

// patchRecommendation answers PATCH /recommendations/{id}: edit a draft, move the status along.
func (s *Server) patchRecommendation(c *gin.Context) {
	var in patchRecommendationJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	p := domain.RecommendationPatch{Version: in.Version, Addressee: in.Addressee, Subject: in.Subject, Body: in.Body, Number: in.Number,
		AnswerNote: in.AnswerNote}
	if in.Status != nil {
		st := domain.RecommendationStatus(*in.Status)
		p.Status = &st
	}
	if in.Kind != nil {
		k := domain.RecommendationKind(*in.Kind)
		p.Kind = &k
	}
	var v domain.Validation
	if in.SentOn != nil {
		if *in.SentOn == "" {
			v.Add("sent_on", "format", "ngày theo dạng YYYY-MM-DD")
		}
		p.SentOn = optDate(&v, "sent_on", in.SentOn)
	}
	if in.DueOn != nil {
		if *in.DueOn == "" {
			v.Add("due_on", "format", "ngày theo dạng YYYY-MM-DD")
		}
		p.DueOn = optDate(&v, "due_on", in.DueOn)
	}
	if err := v.Err(); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Procedure.UpdateRecommendation(c.Request.Context(), principal(c), c.Param("id"), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.Itoa(r.Version)+`"`)
	c.JSON(http.StatusOK, toRecommendationJSON(*r))
}
