package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// registerData is the registration form of a crime report (nguồn tin) or a case.
type registerData struct {
	Units      []domain.Unit
	Channels   []domain.Channel
	Sources    []domain.SourceType
	Reporters  []domain.ReporterKind
	PartyRoles []domain.PartyRole
	Duplicates []domain.DuplicateHint
	// Parties is how many party rows the form shows.
	Parties []int
	Now     string
}

var (
	channels   = []domain.Channel{domain.ChannelInPerson, domain.ChannelPhone, domain.ChannelMail, domain.ChannelElectronic, domain.ChannelAgency, domain.ChannelMedia}
	sources    = []domain.SourceType{domain.SourceDenunciation, domain.SourceCrimeInformation, domain.SourceProsecutionPetition, domain.SourceInstitutionDecision, domain.SourceProcuracyInstituted}
	reporters  = []domain.ReporterKind{domain.ReporterPerson, domain.ReporterAgency, domain.ReporterAnonymous}
	partyRoles = []domain.PartyRole{domain.PartySuspect, domain.PartyVictim, domain.PartyReporter, domain.PartyWitness, domain.PartyRelated}
)

const partyRows = 3

func (s *Server) registerData(r *http.Request, p *service.Principal) (registerData, error) {
	units, err := s.Admin.Units(r.Context())
	if err != nil {
		return registerData{}, err
	}
	var mine []domain.Unit
	scope := s.Cases.Scope(p, domain.ActCaseCreate)
	for _, u := range scopeUnits(units, scope) {
		if u.Active {
			mine = append(mine, u)
		}
	}
	d := registerData{Units: mine, Channels: channels, Sources: sources, Reporters: reporters, PartyRoles: partyRoles,
		Now: s.Now().In(domain.ICT).Format("2006-01-02T15:04")}
	for i := range partyRows {
		d.Parties = append(d.Parties, i)
	}
	return d, nil
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	d, err := s.registerData(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(d.Units) == 0 {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return
	}
	form := url.Values{"kind": {string(domain.KindReport)}, "received_at": {d.Now}, "unit_id": {strconv.FormatInt(p.User.UnitID, 10)}}
	s.render(w, r, http.StatusOK, "register", page{Title: "register.title", Nav: "register", Form: form, Data: d})
}

// registerSubmit registers through the same use case as POST /api/v1/cases. Before saving, it
// looks for a record this one may repeat (the same CCCD, a very similar report) and asks the clerk
// to confirm; a refused form comes back with the messages next to the fields and what was typed.
func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if !s.form(w, r) {
		return
	}
	f := r.PostForm
	in, v, rows := caseInputOf(f)
	redo := func(status int, errs map[string]string, problem string, dups []domain.DuplicateHint) {
		d, err := s.registerData(r, p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Duplicates = dups
		errs = partyFieldsToRows(errs, rows)
		s.render(w, r, status, "register", page{Title: "register.title", Nav: "register", Form: f, Errors: errs, Problem: problem, Data: d})
	}
	if err := v.Err(); err != nil {
		fields, msg, status, ok := s.formErrors(w, r, err)
		if ok {
			redo(status, fields, msg, nil)
		}
		return
	}
	if f.Get("confirm_duplicate") != "1" {
		dups, err := s.Cases.Duplicates(r.Context(), p, in)
		if err != nil && domain.ErrorCodeOf(err) != domain.CodeInvalid {
			s.fail(w, r, err)
			return
		}
		if len(dups) > 0 {
			redo(http.StatusConflict, nil, tr(s.lang(r), "register.duplicate_problem"), dups)
			return
		}
	}
	cs, err := s.Cases.Register(r.Context(), p, in)
	if err != nil {
		fields, msg, status, ok := s.formErrors(w, r, err)
		if ok {
			redo(status, fields, msg, nil)
		}
		return
	}
	http.Redirect(w, r, "/cases/"+cs.ID+"?flash=registered", http.StatusSeeOther)
}

// caseInputOf reads the registration form; the fields are named as in the API's JSON, parties as
// parties[i].field, so the use case's messages land next to the right inputs.
func caseInputOf(f url.Values) (domain.CaseInput, domain.Validation, []int) {
	var v domain.Validation
	in := domain.CaseInput{Kind: domain.CaseKind(f.Get("kind")), Channel: domain.Channel(f.Get("channel")), SourceType: domain.SourceType(f.Get("source_type")),
		Summary: f.Get("summary"), ReporterName: f.Get("reporter_name"), ReporterKind: domain.ReporterKind(f.Get("reporter_kind")),
		ReporterContact: f.Get("reporter_contact"), Secret: f.Get("secret") == "1"}
	if in.ReporterKind == "" {
		in.ReporterKind = domain.ReporterPerson
	}
	if u := f.Get("unit_id"); u != "" {
		id, err := strconv.ParseInt(u, 10, 64)
		if err != nil {
			v.Add("unit_id", "format", "phải chọn đơn vị tiếp nhận")
		}
		in.UnitID = id
	}
	if at := strings.TrimSpace(f.Get("received_at")); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, domain.ICT)
		if err != nil {
			t, err = time.ParseInLocation("02/01/2006 15:04", at, domain.ICT)
		}
		if err != nil {
			v.Add("received_at", "format", "ngày giờ tiếp nhận phải theo dạng dd/mm/yyyy hh:mm")
		}
		in.ReceivedAt = t
	}
	if a := strings.TrimSpace(f.Get("offence.article")); a != "" {
		art, err := strconv.Atoi(a)
		if err != nil {
			v.Add("offence.article", "format", "điều luật phải là số")
		}
		cl := 0
		if c := strings.TrimSpace(f.Get("offence.clause")); c != "" {
			if cl, err = strconv.Atoi(c); err != nil {
				v.Add("offence.clause", "format", "khoản phải là số")
			}
		}
		in.Offence = &domain.Offence{Article: art, Clause: cl, Point: strings.TrimSpace(f.Get("offence.point"))}
	}
	var rows []int // rows[k] is the form row of the k-th party sent
	for i := range partyRows {
		pre := "parties[" + strconv.Itoa(i) + "]."
		name := strings.TrimSpace(f.Get(pre + "full_name"))
		id := strings.TrimSpace(f.Get(pre + "national_id"))
		if name == "" && id == "" {
			continue
		}
		pt := domain.Party{Role: domain.PartyRole(f.Get(pre + "role")), FullName: name, NationalID: id, Gender: f.Get(pre + "gender"), Address: f.Get(pre + "address")}
		if b := strings.TrimSpace(f.Get(pre + "birth_date")); b != "" {
			t, err := time.ParseInLocation(time.DateOnly, b, domain.ICT)
			if err != nil {
				if t, err = time.ParseInLocation("02/01/2006", b, domain.ICT); err != nil {
					v.Add(pre+"birth_date", "format", "ngày sinh phải theo dạng dd/mm/yyyy")
				}
			}
			if err == nil {
				pt.BirthDate = &t
			}
		}
		in.Parties = append(in.Parties, pt)
		rows = append(rows, i)
	}
	return in, v, rows
}

// partyFieldsToRows moves the messages about the k-th party sent to the form row it was typed in.
func partyFieldsToRows(fields map[string]string, rows []int) map[string]string {
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		var n int
		var rest string
		if _, err := fmt.Sscanf(k, "parties[%d]", &n); err == nil && n >= 0 && n < len(rows) {
			rest = k[strings.IndexByte(k, ']')+1:]
			k = "parties[" + strconv.Itoa(rows[n]) + "]" + rest
		}
		out[k] = v
	}
	return out
}
