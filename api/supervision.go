package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
)

// --- supervision across levels: instructions (chỉ đạo), requests for case files (yêu cầu chuyển
// hồ sơ), the public-interest mark (dư luận xã hội quan tâm) and subscriptions (theo dõi) ---

type instructionJSON struct {
	ID            string      `json:"id"`
	CaseID        string      `json:"case_id"`
	CaseNumber    string      `json:"case_number"`
	CaseCode      string      `json:"case_code"`
	Unit          unitRefJSON `json:"unit"`
	IssuerUnit    unitRefJSON `json:"issuer_unit"`
	AddresseeUnit unitRefJSON `json:"addressee_unit"`
	AddresseeID   *string     `json:"addressee_id"`
	AddresseeName *string     `json:"addressee_name"`
	Text          string      `json:"text"`
	DueOn         string      `json:"due_on"`
	Status        string      `json:"status"`
	NextStatuses  []string    `json:"next_statuses"`
	Overdue       bool        `json:"overdue"`
	Response      *string     `json:"response"`
	RespondedBy   *string     `json:"responded_by"`
	RespondedAt   *string     `json:"responded_at"`
	Note          *string     `json:"note"`
	Reopened      int         `json:"reopened"`
	ClosedAt      *string     `json:"closed_at"`
	CreatedBy     string      `json:"created_by"`
	CreatedAt     string      `json:"created_at"`
	UpdatedAt     string      `json:"updated_at"`
	Version       int         `json:"version"`
}

func toInstructionJSON(in domain.Instruction, now time.Time) instructionJSON {
	next := []string{}
	for _, st := range in.Status.MovesFrom() {
		next = append(next, string(st))
	}
	return instructionJSON{ID: in.ID, CaseID: in.CaseID, CaseNumber: in.CaseNumber, CaseCode: in.CaseCode,
		Unit:          unitRefJSON{ID: in.CaseUnitID, Code: in.CaseUnitCode},
		IssuerUnit:    unitRefJSON{ID: in.IssuerUnitID, Code: in.IssuerUnitCode},
		AddresseeUnit: unitRefJSON{ID: in.AddresseeUnitID, Code: in.AddresseeUnitCode},
		AddresseeID:   nonEmpty(in.AddresseeUserID), AddresseeName: nonEmpty(in.AddresseeName), Text: in.Text, DueOn: ictDate(in.DueOn),
		Status: string(in.Status), NextStatuses: next, Overdue: in.Overdue(now), Response: nonEmpty(in.Response), RespondedBy: nonEmpty(in.RespondedBy),
		RespondedAt: optInstant(in.RespondedAt), Note: nonEmpty(in.Note), Reopened: in.Reopened, ClosedAt: optInstant(in.ClosedAt),
		CreatedBy: in.CreatedBy, CreatedAt: ictInstant(in.CreatedAt), UpdatedAt: ictInstant(in.UpdatedAt), Version: in.Version}
}

type instructionInputJSON struct {
	Text        string  `json:"text"`
	DueOn       *string `json:"due_on"`
	AddresseeID string  `json:"addressee_id"`
}

// issueInstruction answers POST /cases/{id}/instructions.
func (s *Server) issueInstruction(c *gin.Context) {
	var in instructionInputJSON
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
	r, err := s.Supervision.Issue(c.Request.Context(), principal(c), c.Param("id"), domain.InstructionInput{Text: in.Text, DueOn: due,
		AddresseeUserID: in.AddresseeID})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/instructions/"+r.ID)
	c.Header("ETag", `"`+strconv.Itoa(r.Version)+`"`)
	c.JSON(http.StatusCreated, toInstructionJSON(*r, s.Now()))
}

// caseInstructions answers GET /cases/{id}/instructions.
func (s *Server) caseInstructions(c *gin.Context) {
	limit, offset, err := queryPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Supervision.CaseInstructions(c.Request.Context(), principal(c), c.Param("id"), limit, offset)
	now := s.Now()
	writeList(s, c, items, total, err, func(in domain.Instruction) any { return toInstructionJSON(in, now) })
}

// sideQuery reads the filters the supervision lists share: unit_id, include_subunits, direction,
// status, overdue, case_id and the page.
func sideQuery(c *gin.Context) (unitID *int64, subunits bool, dir domain.Direction, statuses []string, overdue *bool, caseID *string,
	limit, offset int, err error) {
	if unitID, subunits, limit, offset, err = unitPage(c, true); err != nil {
		return
	}
	dir, statuses, caseID = domain.Direction(c.Query("direction")), queryList(c, "status"), optQuery(c, "case_id")
	if _, given := c.GetQuery("overdue"); given {
		var b bool
		if b, err = queryBool(c, "overdue", false); err != nil {
			return
		}
		overdue = &b
	}
	return
}

// listInstructions answers GET /instructions across the caller's scope.
func (s *Server) listInstructions(c *gin.Context) {
	var f domain.InstructionFilter
	var err error
	if f.UnitID, f.IncludeSubunits, f.Direction, f.Statuses, f.Overdue, f.CaseID, f.Limit, f.Offset, err = sideQuery(c); err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Supervision.ListInstructions(c.Request.Context(), principal(c), f)
	now := s.Now()
	writeList(s, c, items, total, err, func(in domain.Instruction) any { return toInstructionJSON(in, now) })
}

// getInstruction answers GET /instructions/{id}; the ETag is its version.
func (s *Server) getInstruction(c *gin.Context) {
	r, err := s.Supervision.Instruction(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("ETag", `"`+strconv.Itoa(r.Version)+`"`)
	c.JSON(http.StatusOK, toInstructionJSON(*r, s.Now()))
}

type instructionResponseJSON struct {
	Version  int    `json:"version"`
	Response string `json:"response"`
}

type instructionNoteJSON struct {
	Version int    `json:"version"`
	Note    string `json:"note"`
}

// respondInstruction answers POST /instructions/{id}/respond: the addressed unit's report.
func (s *Server) respondInstruction(c *gin.Context) {
	var in instructionResponseJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	s.writeInstructionMove(c, service.MoveRespond, in.Version, in.Response)
}

// moveInstruction answers POST /instructions/{id}/close, /reopen and /cancel: the issuing side's
// steps, each with a note (required to reopen or cancel).
func (s *Server) moveInstruction(move service.InstructionMove) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in instructionNoteJSON
		if err := decodeJSON(c, &in); err != nil {
			s.fail(c, err)
			return
		}
		if in.Version == 0 {
			in.Version = ifMatchVersion(c)
		}
		s.writeInstructionMove(c, move, in.Version, in.Note)
	}
}

func (s *Server) writeInstructionMove(c *gin.Context, move service.InstructionMove, version int, text string) {
	r, err := s.Supervision.MoveInstruction(c.Request.Context(), principal(c), c.Param("id"), move, version, text)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.Itoa(r.Version)+`"`)
	c.JSON(http.StatusOK, toInstructionJSON(*r, s.Now()))
}

type fileRequestJSON struct {
	ID            string      `json:"id"`
	CaseID        string      `json:"case_id"`
	CaseNumber    string      `json:"case_number"`
	CaseCode      string      `json:"case_code"`
	Unit          unitRefJSON `json:"unit"`
	RequesterUnit unitRefJSON `json:"requester_unit"`
	Reason        string      `json:"reason"`
	DueOn         string      `json:"due_on"`
	Status        string      `json:"status"`
	Overdue       bool        `json:"overdue"`
	AnswerNote    *string     `json:"answer_note"`
	AnsweredBy    *string     `json:"answered_by"`
	AnsweredAt    *string     `json:"answered_at"`
	RequestedBy   string      `json:"requested_by"`
	CreatedAt     string      `json:"created_at"`
	UpdatedAt     string      `json:"updated_at"`
	Version       int         `json:"version"`
}

func toFileRequestJSON(r domain.FileRequest, now time.Time) fileRequestJSON {
	return fileRequestJSON{ID: r.ID, CaseID: r.CaseID, CaseNumber: r.CaseNumber, CaseCode: r.CaseCode,
		Unit: unitRefJSON{ID: r.CaseUnitID, Code: r.CaseUnitCode}, RequesterUnit: unitRefJSON{ID: r.RequesterUnitID, Code: r.RequesterUnitCode},
		Reason: r.Reason, DueOn: ictDate(r.DueOn), Status: string(r.Status), Overdue: r.Overdue(now), AnswerNote: nonEmpty(r.AnswerNote),
		AnsweredBy: nonEmpty(r.AnsweredBy), AnsweredAt: optInstant(r.AnsweredAt), RequestedBy: r.RequestedBy, CreatedAt: ictInstant(r.CreatedAt),
		UpdatedAt: ictInstant(r.UpdatedAt), Version: r.Version}
}

type fileRequestInputJSON struct {
	Reason string  `json:"reason"`
	DueOn  *string `json:"due_on"`
}

// createFileRequest answers POST /cases/{id}/file-requests.
func (s *Server) createFileRequest(c *gin.Context) {
	var in fileRequestInputJSON
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
	r, err := s.Supervision.RequestFile(c.Request.Context(), principal(c), c.Param("id"), service.FileRequestInput{Reason: in.Reason, DueOn: due})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.Itoa(r.Version)+`"`)
	c.JSON(http.StatusCreated, toFileRequestJSON(*r, s.Now()))
}

// listFileRequests answers GET /file-requests.
func (s *Server) listFileRequests(c *gin.Context) {
	var f domain.FileRequestFilter
	var err error
	if f.UnitID, f.IncludeSubunits, f.Direction, f.Statuses, f.Overdue, f.CaseID, f.Limit, f.Offset, err = sideQuery(c); err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Supervision.ListFileRequests(c.Request.Context(), principal(c), f)
	now := s.Now()
	writeList(s, c, items, total, err, func(r domain.FileRequest) any { return toFileRequestJSON(r, now) })
}

type fileAnswerJSON struct {
	Version int    `json:"version"`
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
}

// answerFileRequest answers POST /file-requests/{id}/answer.
func (s *Server) answerFileRequest(c *gin.Context) {
	var in fileAnswerJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	r, err := s.Supervision.AnswerFileRequest(c.Request.Context(), principal(c), c.Param("id"), service.FileAnswerInput{Version: in.Version,
		Outcome: domain.FileRequestStatus(in.Outcome), Note: in.Note})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.Itoa(r.Version)+`"`)
	c.JSON(http.StatusOK, toFileRequestJSON(*r, s.Now()))
}

type publicInterestInputJSON struct {
	Version        int    `json:"version"`
	PublicInterest *bool  `json:"public_interest"`
	Note           string `json:"note"`
}

type publicInterestJSON struct {
	CaseID         string `json:"case_id"`
	PublicInterest bool   `json:"public_interest"`
	Version        int    `json:"version"`
	UpdatedAt      string `json:"updated_at"`
}

// putPublicInterest answers PUT /cases/{id}/public-interest; the ETag is the case's new version.
func (s *Server) putPublicInterest(c *gin.Context) {
	var in publicInterestInputJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Version == 0 {
		in.Version = ifMatchVersion(c)
	}
	if in.PublicInterest == nil {
		s.fail(c, domain.Invalid("public_interest", "required", "phải gửi public_interest là true hoặc false"))
		return
	}
	m, err := s.Supervision.SetPublicInterest(c.Request.Context(), principal(c), c.Param("id"), in.Version, *in.PublicInterest, in.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.Itoa(m.Version)+`"`)
	c.JSON(http.StatusOK, publicInterestJSON{CaseID: m.CaseID, PublicInterest: m.PublicInterest, Version: m.Version, UpdatedAt: ictInstant(m.UpdatedAt)})
}

type subscriptionJSON struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	UnitID            *int64  `json:"unit_id"`
	IncludeSubunits   bool    `json:"include_subunits"`
	MinClass          *string `json:"min_class"`
	DetentionOverDays *int    `json:"detention_over_days"`
	PublicInterest    bool    `json:"public_interest"`
	CreatedAt         string  `json:"created_at"`
}

func toSubscriptionJSON(sub domain.Subscription) subscriptionJSON {
	j := subscriptionJSON{ID: sub.ID, Name: sub.Name, UnitID: sub.UnitID, IncludeSubunits: sub.IncludeSubunits, MinClass: nonEmpty(string(sub.MinClass)),
		PublicInterest: sub.PublicInterest, CreatedAt: ictInstant(sub.CreatedAt)}
	if sub.DetentionOverDays > 0 {
		d := sub.DetentionOverDays
		j.DetentionOverDays = &d
	}
	return j
}

type subscriptionInputJSON struct {
	Name              string `json:"name"`
	UnitID            *int64 `json:"unit_id"`
	IncludeSubunits   *bool  `json:"include_subunits"`
	MinClass          string `json:"min_class"`
	DetentionOverDays *int   `json:"detention_over_days"`
	PublicInterest    bool   `json:"public_interest"`
}

// createSubscription answers POST /subscriptions.
func (s *Server) createSubscription(c *gin.Context) {
	var in subscriptionInputJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	sub := domain.Subscription{Name: in.Name, UnitID: in.UnitID, IncludeSubunits: true, MinClass: domain.SeverityClass(in.MinClass),
		PublicInterest: in.PublicInterest}
	if in.IncludeSubunits != nil {
		sub.IncludeSubunits = *in.IncludeSubunits
	}
	if in.DetentionOverDays != nil {
		if *in.DetentionOverDays <= 0 {
			s.fail(c, domain.Invalid("detention_over_days", "range", "số ngày tạm giam từ 1 đến 3.650"))
			return
		}
		sub.DetentionOverDays = *in.DetentionOverDays
	}
	out, err := s.Supervision.Subscribe(c.Request.Context(), principal(c), sub)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/subscriptions/"+out.ID+"/cases")
	c.JSON(http.StatusCreated, toSubscriptionJSON(*out))
}

// listSubscriptions answers GET /subscriptions: the caller's own.
func (s *Server) listSubscriptions(c *gin.Context) {
	limit, offset, err := queryPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Supervision.Subscriptions(c.Request.Context(), principal(c), limit, offset)
	writeList(s, c, items, total, err, func(sub domain.Subscription) any { return toSubscriptionJSON(sub) })
}

// deleteSubscription answers DELETE /subscriptions/{id}.
func (s *Server) deleteSubscription(c *gin.Context) {
	if err := s.Supervision.Unsubscribe(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type subscriptionCaseJSON struct {
	ID             string      `json:"id"`
	Number         string      `json:"number"`
	Code           string      `json:"code"`
	Unit           unitRefJSON `json:"unit"`
	Stage          string      `json:"stage"`
	ReceivedAt     string      `json:"received_at"`
	Class          *string     `json:"class"`
	PublicInterest bool        `json:"public_interest"`
	DetentionDays  int         `json:"detention_days"`
}

func toSubscriptionCaseJSON(m domain.SubscriptionMatch) subscriptionCaseJSON {
	return subscriptionCaseJSON{ID: m.CaseID, Number: m.Number, Code: m.Code, Unit: unitRefJSON{ID: m.UnitID, Code: m.UnitCode}, Stage: string(m.Stage),
		ReceivedAt: ictInstant(m.ReceivedAt), Class: nonEmpty(string(m.Class)), PublicInterest: m.PublicInterest, DetentionDays: m.DetentionDays}
}

// subscriptionCases answers GET /subscriptions/{id}/cases: the cases it matches now.
func (s *Server) subscriptionCases(c *gin.Context) {
	limit, offset, err := queryPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Supervision.SubscriptionCases(c.Request.Context(), principal(c), c.Param("id"), limit, offset)
	writeList(s, c, items, total, err, func(m domain.SubscriptionMatch) any { return toSubscriptionCaseJSON(m) })
}
