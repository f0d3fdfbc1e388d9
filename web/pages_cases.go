package web

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

type caseListData struct {
	Query        url.Values
	Filter       domain.CaseFilter
	Page         domain.CasePage
	Units        []domain.Unit
	Stages       []domain.Stage
	Classes      []domain.SeverityClass
	Next         string
	First        bool
	FilterErrors map[string]string
	// Prosecutors are the people the prosecutor filter offers: the users the caller may see (a
	// chief's subtree), when they may see users at all.
	Prosecutors []domain.User
}

// caseList is the case list: filters (unit subtree, stage, kind, class, mine, overdue, text),
// newest or oldest first, keyset pages and an export of the same filter.
func (s *Server) caseList(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	q := r.URL.Query()
	f, ferrs := caseQuery(q, p)
	lang := s.lang(r)
	for k, v := range ferrs {
		ferrs[k] = tr(lang, v)
	}
	pg, err := s.Cases.List(r.Context(), p, f)
	if err != nil {
		if !s.filterRefused(w, r, err, ferrs) {
			return
		}
		f, pg = domain.CaseFilter{IncludeSubunits: true, Limit: domain.DefaultPageSize}, domain.CasePage{}
	}
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := caseListData{Query: q, Filter: f, Page: pg, Units: scopeUnits(units, s.Cases.Scope(p, domain.ActCaseRead)), Stages: allStages(),
		Classes: severityClasses, First: q.Get("cursor") == "", FilterErrors: ferrs}
	if pg.NextCursor != nil {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", encodeCursor(pg.NextCursor))
		d.Next = nq.Encode()
	}
	if !s.Cases.Scope(p, domain.ActUserRead).Empty() {
		users, err := s.Admin.Users(r.Context(), p, service.UserFilter{Limit: domain.MaxPageSize})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, u := range users.Items {
			if u.Active {
				d.Prosecutors = append(d.Prosecutors, u)
			}
		}
	}
	status := http.StatusOK
	if len(ferrs) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "cases", page{Title: "cases.title", Nav: "cases", Form: q, Errors: ferrs, Data: d})
}

func allStages() []domain.Stage { return slices.Clone(domain.Stages) }

// caseData is the case page: the case, its procedural record, clocks, files and what the caller
// may do now.
type caseData struct {
	Case      *domain.Case
	Timeline  *service.Timeline
	Deadlines *service.Deadlines
	Files     []domain.Document
	FilesOff  bool
	Offers    []workflow.Offer
	Assignees []domain.User
	Units     map[int64]domain.Unit
	Unit      domain.Unit
	Accused   map[string]domain.Accused
	Sections  []domain.Section
	Issuers   []domain.IssuerBody
	MaxUpload int64
	Today     string
	// Step is the step the decision form shows, once the user has chosen one.
	Step string
	// CanApprove: the caller may answer decisions awaiting the procuracy's approval on this case
	// (the use case still judges the level the law requires).
	CanApprove bool
	// Pending is how many decisions await approval.
	Pending int
}

// TrackClass is the style of a clock's days left: red once it has run out, amber when due soon.
func (d caseData) TrackClass(c workflow.Clock) string {
	switch {
	case c.Status == workflow.ClockMissed || c.Status == workflow.ClockMetLate || (c.EndedOn == nil && c.DaysLeft < 0):
		return "overdue"
	case c.Status == workflow.ClockDueSoon:
		return "due-soon"
	}
	return ""
}

// AccusedClocks are the clocks about one accused person (custody, detention, decisions).
func (d caseData) AccusedClocks(accusedID string) []workflow.Clock {
	if d.Deadlines == nil {
		return nil
	}
	var out []workflow.Clock
	for _, c := range d.Deadlines.Clocks {
		if c.AccusedID == accusedID && c.Subject == "measure" {
			out = append(out, c)
		}
	}
	return out
}

// MaxUploadMB is the largest upload in MiB, for the hint under the file input.
func (d caseData) MaxUploadMB() int64 { return d.MaxUpload >> 20 }

// Measure finds a measure of the case's accused by id, for the decision form.
func (d caseData) Measure(id string) *domain.Measure {
	for _, a := range d.Accused {
		for i := range a.Measures {
			if a.Measures[i].ID == id {
				return &a.Measures[i]
			}
		}
	}
	return nil
}

// AccusedName names an accused by id, for the decision form.
func (d caseData) AccusedName(id string) string {
	if a, ok := d.Accused[id]; ok {
		return a.FullName
	}
	return id
}

func (s *Server) loadCase(w http.ResponseWriter, r *http.Request, p *service.Principal, id string) (*caseData, bool) {
	ctx := r.Context()
	cs, err := s.Cases.Get(ctx, p, id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	d := &caseData{Case: cs, Sections: domain.Sections, MaxUpload: 0, Today: s.Now().In(domain.ICT).Format(time.DateOnly), Accused: map[string]domain.Accused{}}
	if d.Timeline, err = s.Procedure.Timeline(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	for _, a := range d.Timeline.Accused {
		d.Accused[a.ID] = a
	}
	if d.Deadlines, err = s.Procedure.Deadlines(ctx, p, id, ""); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	if s.Files != nil {
		if d.Files, err = s.Files.List(ctx, p, id, false); err != nil {
			s.fail(w, r, err)
			return nil, false
		}
		d.MaxUpload = s.Files.MaxSize()
	} else {
		d.FilesOff = true
	}
	if d.Offers, err = s.Procedure.Offers(ctx, p, id); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	if d.Assignees, err = s.Cases.Assignees(ctx, p, cs); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	if d.Unit, err = s.Admin.Unit(ctx, cs.UnitID); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	d.CanApprove = s.Cases.Scope(p, domain.ActCaseApprove).PermitsCase(cs.Ref(p.User.ID))
	for _, dec := range d.Timeline.Decisions {
		if dec.Status == domain.DecisionPending {
			d.Pending++
		}
	}
	// No step is chosen for the user: a decision form open on a step nobody asked for invites
	// recording the wrong one.
	d.Step = r.URL.Query().Get("step")
	for _, o := range d.Offers {
		if string(o.Transition.Step) == d.Step {
			d.Issuers = o.Transition.Issuers
		}
	}
	return d, true
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	d, ok := s.loadCase(w, r, p, r.PathValue("id"))
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "case", page{Title: "case.title", Nav: "cases", Flash: s.flashOf(r), Data: d})
}

// caseFormError shows the case page again with a refused form's messages next to its fields and
// the values typed kept.
func (s *Server) caseFormError(w http.ResponseWriter, r *http.Request, p *service.Principal, form string, err error) {
	fields, msg, status, ok := s.formErrors(w, r, err)
	if !ok {
		return
	}
	d, ok := s.loadCase(w, r, p, r.PathValue("id"))
	if !ok {
		return
	}
	if st := r.PostForm.Get("step"); st != "" && form == "decision" {
		d.Step = st
		d.Issuers = nil
		for _, o := range d.Offers {
			if string(o.Transition.Step) == st {
				d.Issuers = o.Transition.Issuers
			}
		}
	}
	prefixed := map[string]string{}
	for k, v := range fields {
		prefixed[form+"."+k] = v
	}
	s.render(w, r, status, "case", page{Title: "case.title", Nav: "cases", Errors: prefixed, Problem: msg, Form: r.PostForm,
		Data: d})
}

// decisionSubmit records a procedural decision through the same use case as
// POST /api/v1/cases/{id}/decisions; the transition table judges it, not this handler.
func (s *Server) decisionSubmit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	var v domain.Validation
	version, _ := strconv.Atoi(f.Get("version"))
	in := service.DecisionInput{Version: version, Step: domain.Step(f.Get("step")), Issuer: domain.IssuerBody(f.Get("issuer")),
		IssuerName: f.Get("issuer_name"), Number: f.Get("number"), Signer: f.Get("signer"), LegalBasis: f.Get("legal_basis"), Note: f.Get("note"),
		AccusedIDs: f["accused_ids"], MeasureID: f.Get("measure_id")}
	if pick := f.Get("measure_pick"); pick != "" {
		accused, measure, _ := strings.Cut(pick, "|")
		in.AccusedIDs, in.MeasureID = []string{accused}, measure
	}
	in.IssuedOn = formDate(&v, f, "issued_on")
	in.EffectiveOn = formDate(&v, f, "effective_on")
	if in.Step == workflow.StepInstituteAccused && len(in.AccusedIDs) == 0 {
		pi := &service.PersonInput{FullName: f.Get("person.full_name"), NationalID: f.Get("person.national_id"), Gender: f.Get("person.gender"),
			Address: f.Get("person.address")}
		if b := formDate(&v, f, "person.birth_date"); !b.IsZero() {
			pi.BirthDate = &b
		}
		pi.OffenceDate = formDate(&v, f, "person.offence_date")
		in.Person = pi
	}
	if a := strings.TrimSpace(f.Get("charge.article")); a != "" {
		art := a
		cl, err2 := strconv.Atoi(strings.TrimSpace(f.Get("charge.clause")))
		if err2 != nil {
			v.Add("charges[0].clause", "format", tr(s.lang(r), "form.integer"))
		}
		in.Charges = []service.ChargeSpec{{Article: art, Clause: cl, Point: strings.TrimSpace(f.Get("charge.point"))}}
	}
	if t, ok := workflow.ByStep(in.Step); ok && t.Subject == domain.SubjectMeasure {
		m := &workflow.MeasureInput{StartAt: formDate(&v, f, "measure.start_at")}
		if end := formDate(&v, f, "measure.ordered_end"); !end.IsZero() {
			m.OrderedEnd = &end
		}
		in.Measure = m
	}
	if err := v.Err(); err != nil {
		s.caseFormError(w, r, p, "decision", err)
		return
	}
	out, err := s.Procedure.Record(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		s.caseFormError(w, r, p, "decision", err)
		return
	}
	http.Redirect(w, r, "/cases/"+out.Case.ID+"?flash=decision#deadlines", http.StatusSeeOther)
}

// formDate reads a yyyy-mm-dd field (what a date input sends) as midnight in Vietnam; dd/mm/yyyy,
// what people type where the browser has no date picker, is accepted too.
func formDate(v *domain.Validation, f url.Values, name string) time.Time {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, s, domain.ICT); err == nil {
			return t
		}
	}
	v.Add(name, "format", "ngày phải theo dạng dd/mm/yyyy")
	return time.Time{}
}

// assignSubmit puts a prosecutor on the case's team (a chief's act), as
// POST /api/v1/cases/{id}/assignments.
func (s *Server) assignSubmit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	version, _ := strconv.Atoi(f.Get("version"))
	in := domain.AssignmentInput{UserID: f.Get("user_id"), Role: domain.AssignmentRole(f.Get("role")), Note: f.Get("note"), Replace: f.Get("replace") == "1"}
	if _, err := s.Cases.Assign(r.Context(), p, r.PathValue("id"), version, in); err != nil {
		s.caseFormError(w, r, p, "assign", err)
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"?flash=assigned#team", http.StatusSeeOther)
}

// uploadSubmit streams a file into the case file (multipart, the fields before the file) through
// the same use case as POST /api/v1/cases/{id}/files. The script on the page sends it with a
// progress bar; without the script the browser posts the same form.
func (s *Server) uploadSubmit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	fields, part, ok := s.fileForm(w, r)
	if !ok {
		return
	}
	var v domain.Validation
	in := service.UploadInput{FileName: part.FileName(), Note: fields.Get("note"), Document: domain.DocumentInput{Section: domain.Section(fields.Get("section")),
		Title: fields.Get("title"), DocType: fields.Get("doc_type"), Number: fields.Get("number"), Classification: domain.Classification(fields.Get("classification"))}}
	if in.Document.Classification == "" {
		in.Document.Classification = domain.ClassNormal
	}
	if d := formDate(&v, fields, "date"); !d.IsZero() {
		in.Document.Date = &d
	}
	if err := v.Err(); err != nil {
		s.caseFormError(w, r, p, "upload", err)
		return
	}
	doc, err := s.Files.Upload(r.Context(), p, r.PathValue("id"), in, part)
	s.fileDone(w, r, p, "upload", doc, err)
}

// versionSubmit adds a new version of a document (a corrected scan), as
// POST /api/v1/files/{id}/versions; the earlier versions stay.
func (s *Server) versionSubmit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	fields, part, ok := s.fileForm(w, r)
	if !ok {
		return
	}
	if !s.documentOfCase(w, r, p) {
		return
	}
	doc, err := s.Files.AddVersion(r.Context(), p, r.PathValue("doc"), service.VersionInput{FileName: part.FileName(), Note: fields.Get("note")}, part)
	s.fileDone(w, r, p, "version", doc, err)
}

// withdrawSubmit takes a document out of the case file with the reason recorded (rút tài liệu), as
// POST /api/v1/files/{id}/withdraw: it stays in the record, marked withdrawn.
func (s *Server) withdrawSubmit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	if s.Files == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, "error.files_off")
		return
	}
	if !s.documentOfCase(w, r, p) {
		return
	}
	rowVersion, _ := strconv.Atoi(r.PostForm.Get("row_version"))
	if _, err := s.Files.Withdraw(r.Context(), p, r.PathValue("doc"), r.PostForm.Get("reason"), rowVersion); err != nil {
		s.caseFormError(w, r, p, "withdraw", err)
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"?flash=withdrawn#files", http.StatusSeeOther)
}

// documentOfCase makes sure the document in the path belongs to the case in the path, so that the
// page a refusal comes back on is the document's own case.
func (s *Server) documentOfCase(w http.ResponseWriter, r *http.Request, p *service.Principal) bool {
	doc, err := s.Files.Get(r.Context(), p, r.PathValue("doc"))
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	if doc.CaseID != r.PathValue("id") {
		s.notFound(w, r)
		return false
	}
	return true
}

// fileForm reads a multipart form whose fields come before its file part (as the pages' forms
// send them), checks its CSRF token and returns the fields and the file part, streaming.
func (s *Server) fileForm(w http.ResponseWriter, r *http.Request) (url.Values, *multipart.Part, bool) {
	if s.Files == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, "error.files_off")
		return nil, nil, false
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.TransferTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(s.TransferTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, s.Files.MaxSize()+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
		return nil, nil, false
	}
	fields := url.Values{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "error.upload_no_file")
			return nil, nil, false
		}
		if part.FormName() != "file" {
			b := make([]byte, 4097)
			n, _ := readFull(part, b)
			if n > 4096 {
				s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
				return nil, nil, false
			}
			fields.Set(part.FormName(), string(b[:n]))
			continue
		}
		if !s.checkCSRF(r, fields.Get("csrf")) {
			s.forbiddenCSRF(w, r)
			return nil, nil, false
		}
		r.PostForm = fields
		return fields, part, true
	}
}

// fileDone answers a stored upload: the case page (or, for the page's script, where to go), or the
// form again with the refusal next to its fields.
func (s *Server) fileDone(w http.ResponseWriter, r *http.Request, p *service.Principal, form string, doc domain.Document, err error) {
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = domain.Invalid("file", "max_size", fmt.Sprintf(tr(s.lang(r), "upload.too_big"), s.Files.MaxSize()>>20))
		}
		s.caseFormError(w, r, p, form, err)
		return
	}
	target := "/cases/" + doc.CaseID + "?flash=uploaded#files"
	if r.Header.Get("X-Requested-With") == "fetch" {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"location":%q}`, doc.ID, target)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func readFull(part interface{ Read([]byte) (int, error) }, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := part.Read(b[n:])
		n += m
		if err != nil {
			return n, nil
		}
	}
	return n, nil
}

// download streams a version of a document (the current one by default), audited by the use case.
func (s *Server) download(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if s.Files == nil {
		s.notFound(w, r)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("v"))
	dl, err := s.Files.Open(r.Context(), p, r.PathValue("id"), n, r.Header.Get("Range"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer dl.Content.Close()
	if err := dl.Content.Check(); err != nil {
		s.fail(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(s.TransferTimeout))
	v := dl.Version
	h := w.Header()
	h.Set("Content-Type", v.ContentType)
	h.Set("X-Content-SHA256", v.SHA256)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(service.DownloadName(dl.Document, v)))
	h.Set("Content-Security-Policy", "sandbox")
	http.ServeContent(w, r, "", v.UploadedAt, dl.Content)
}

// exportMax bounds one export; a larger selection is narrowed with the filters first.
const exportMax = 10000

// caseExport writes the filtered list as an Excel workbook, in the list's order.
func (s *Server) caseExport(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	f, ferrs := caseQuery(r.URL.Query(), p)
	if len(ferrs) > 0 {
		s.errorPage(w, r, http.StatusBadRequest, "error.invalid")
		return
	}
	f.Limit, f.Cursor = domain.MaxPageSize, nil
	var items []domain.Case
	for len(items) < exportMax {
		pg, err := s.Cases.List(r.Context(), p, f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		items = append(items, pg.Items...)
		if pg.NextCursor == nil {
			break
		}
		f.Cursor = pg.NextCursor
	}
	if len(items) > exportMax {
		items = items[:exportMax]
	}
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	lang := s.lang(r)
	body, err := casesXLSX(items, names, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="ho-so-`+s.Now().In(domain.ICT).Format("20060102-1504")+`.xlsx"`)
	_, _ = w.Write(body)
}

// approvalSubmit answers a decision awaiting approval (phê chuẩn, không phê chuẩn, hủy bỏ) through
// the same use case as POST /api/v1/decisions/{id}/approval.
func (s *Server) approvalSubmit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	var v domain.Validation
	version, _ := strconv.Atoi(f.Get("version"))
	in := service.DecideInput{Version: version, Outcome: domain.Outcome(f.Get("outcome")), Number: f.Get("number"), Signer: f.Get("signer"),
		Note: f.Get("note"), IssuedOn: formDate(&v, f, "issued_on")}
	if err := v.Err(); err != nil {
		s.caseFormError(w, r, p, "approval", err)
		return
	}
	if _, err := s.Procedure.Decide(r.Context(), p, r.PathValue("decision"), in); err != nil {
		s.caseFormError(w, r, p, "approval", err)
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"?flash=approval#timeline", http.StatusSeeOther)
}
