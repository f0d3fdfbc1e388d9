package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

// The JSON shapes of the API. They are separate from domain types so that the wire format is a
// deliberate contract, described in openapi.yaml.

type unitJSON struct {
	ID            int64   `json:"id"`
	Code          string  `json:"code"`
	Name          string  `json:"name"`
	NameEN        string  `json:"name_en"`
	Level         string  `json:"level"`
	ParentID      *int64  `json:"parent_id"`
	Path          string  `json:"path"`
	Active        bool    `json:"active"`
	EffectiveFrom string  `json:"effective_from"`
	EffectiveTo   *string `json:"effective_to"`
	Version       int     `json:"version"`
}

func toUnitJSON(u domain.Unit) unitJSON {
	j := unitJSON{ID: u.ID, Code: u.Code, Name: u.Name, NameEN: u.NameEN, Level: string(u.Level), ParentID: u.ParentID, Path: string(u.Path),
		Active: u.Active, EffectiveFrom: u.EffectiveFrom.Format(time.DateOnly), Version: u.Version}
	if u.EffectiveTo != nil {
		s := u.EffectiveTo.Format(time.DateOnly)
		j.EffectiveTo = &s
	}
	return j
}

type userJSON struct {
	ID                 string     `json:"id"`
	Username           string     `json:"username"`
	FullName           string     `json:"full_name"`
	Email              string     `json:"email"`
	UnitID             int64      `json:"unit_id"`
	Active             bool       `json:"active"`
	MustChangePassword bool       `json:"must_change_password"`
	LockedUntil        *time.Time `json:"locked_until"`
	Version            int        `json:"version"`
	CreatedAt          time.Time  `json:"created_at"`
}

func toUserJSON(u domain.User, now time.Time) userJSON {
	j := userJSON{ID: u.ID, Username: u.Username, FullName: u.FullName, Email: u.Email, UnitID: u.UnitID, Active: u.Active,
		MustChangePassword: u.MustChangePassword, Version: u.Version, CreatedAt: u.CreatedAt}
	if u.LockedUntil != nil && u.LockedUntil.After(now) {
		j.LockedUntil = u.LockedUntil
	}
	return j
}

type grantJSON struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Role      string    `json:"role"`
	UnitID    int64     `json:"unit_id"`
	UnitCode  string    `json:"unit_code"`
	GrantedBy string    `json:"granted_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func toGrantJSON(g domain.Grant) grantJSON {
	return grantJSON{ID: g.ID, UserID: g.UserID, Role: string(g.Role), UnitID: g.UnitID, UnitCode: g.UnitCode, GrantedBy: g.GrantedBy, CreatedAt: g.CreatedAt}
}

type tokensJSON struct {
	AccessToken        string    `json:"access_token"`
	TokenType          string    `json:"token_type"`
	ExpiresIn          int       `json:"expires_in"`
	ExpiresAt          time.Time `json:"expires_at"`
	RefreshToken       string    `json:"refresh_token"`
	RefreshExpiresAt   time.Time `json:"refresh_expires_at"`
	MustChangePassword bool      `json:"must_change_password"`
}

func toTokensJSON(t service.Tokens, now time.Time) tokensJSON {
	return tokensJSON{AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresIn: int(t.AccessExpiresAt.Sub(now).Seconds()), ExpiresAt: t.AccessExpiresAt,
		RefreshToken: t.RefreshToken, RefreshExpiresAt: t.RefreshExpiresAt, MustChangePassword: t.MustChangePassword}
}

type offenceJSON struct {
	Article int    `json:"article"`
	Clause  int    `json:"clause,omitempty"`
	Point   string `json:"point,omitempty"`
}

type partyJSON struct {
	ID         string  `json:"id,omitempty"`
	Role       string  `json:"role"`
	FullName   string  `json:"full_name"`
	NationalID string  `json:"national_id,omitempty"`
	BirthDate  *string `json:"birth_date,omitempty"`
	Gender     string  `json:"gender,omitempty"`
	Address    string  `json:"address,omitempty"`
}

type assignmentJSON struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	UserName   string     `json:"user_name"`
	Role       string     `json:"role"`
	AssignedBy string     `json:"assigned_by"`
	AssignedAt time.Time  `json:"assigned_at"`
	Note       string     `json:"note,omitempty"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	EndedBy    string     `json:"ended_by,omitempty"`
}

type unitRefJSON struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
}

type caseJSON struct {
	ID              string       `json:"id"`
	Kind            string       `json:"kind"`
	Number          string       `json:"number"`
	Code            string       `json:"code"`
	Unit            unitRefJSON  `json:"unit"`
	Stage           string       `json:"stage"`
	ReceivedAt      time.Time    `json:"received_at"`
	Channel         string       `json:"channel"`
	SourceType      string       `json:"source_type"`
	Summary         string       `json:"summary"`
	ReporterName    string       `json:"reporter_name"`
	ReporterKind    string       `json:"reporter_kind"`
	ReporterContact string       `json:"reporter_contact"`
	Offence         *offenceJSON `json:"offence"`
	Secret          bool         `json:"secret"`
	Version         int          `json:"version"`
	CreatedBy       string       `json:"created_by"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
	// ReportNumber is the number the record had as a crime report before it became a case.
	ReportNumber     string `json:"report_number,omitempty"`
	SummaryProcedure bool   `json:"summary_procedure"`
	JoinedInto       string `json:"joined_into,omitempty"`
	SplitFrom        string `json:"split_from,omitempty"`
	// PublicInterest: public opinion follows the case (dư luận xã hội quan tâm).
	PublicInterest bool `json:"public_interest"`
	// Parties and Team are sent (possibly as []) in the full view of one case, and left out of
	// list items.
	Parties *[]partyJSON      `json:"parties,omitempty"`
	Team    *[]assignmentJSON `json:"team,omitempty"`
}

func toCaseJSON(cs *domain.Case, full bool) caseJSON {
	j := caseJSON{ID: cs.ID, Kind: string(cs.Kind), Number: cs.Number, Code: cs.Code, Unit: unitRefJSON{ID: cs.UnitID, Code: cs.UnitCode},
		Stage: string(cs.Stage), ReceivedAt: cs.ReceivedAt.In(service.VietnamTime), Channel: string(cs.Channel), SourceType: string(cs.SourceType),
		Summary: cs.Summary, ReporterName: cs.ReporterName, ReporterKind: string(cs.ReporterKind), ReporterContact: cs.ReporterContact,
		Secret: cs.Secret, Version: cs.Version, CreatedBy: cs.CreatedBy, CreatedAt: cs.CreatedAt, UpdatedAt: cs.UpdatedAt,
		ReportNumber: cs.ReportNumber, SummaryProcedure: cs.SummaryProcedure, JoinedInto: cs.JoinedInto, SplitFrom: cs.SplitFrom,
		PublicInterest: cs.PublicInterest}
	if cs.Offence != nil {
		j.Offence = &offenceJSON{Article: cs.Offence.Article, Clause: cs.Offence.Clause, Point: cs.Offence.Point}
	}
	if !full {
		return j
	}
	parties := []partyJSON{}
	for _, p := range cs.Parties {
		pj := partyJSON{ID: p.ID, Role: string(p.Role), FullName: p.FullName, NationalID: p.NationalID, Gender: p.Gender, Address: p.Address}
		if p.BirthDate != nil {
			s := p.BirthDate.Format(time.DateOnly)
			pj.BirthDate = &s
		}
		parties = append(parties, pj)
	}
	team := []assignmentJSON{}
	for _, a := range cs.Team {
		team = append(team, assignmentJSON{ID: a.ID, UserID: a.UserID, UserName: a.UserName, Role: string(a.Role), AssignedBy: a.AssignedBy,
			AssignedAt: a.AssignedAt, Note: a.Note, EndedAt: a.EndedAt, EndedBy: a.EndedBy})
	}
	j.Parties, j.Team = &parties, &team
	return j
}

type createCaseJSON struct {
	Kind            string       `json:"kind"`
	UnitID          int64        `json:"unit_id"`
	ReceivedAt      *time.Time   `json:"received_at"`
	Channel         string       `json:"channel"`
	SourceType      string       `json:"source_type"`
	Summary         string       `json:"summary"`
	ReporterName    string       `json:"reporter_name"`
	ReporterKind    string       `json:"reporter_kind"`
	ReporterContact string       `json:"reporter_contact"`
	Offence         *offenceJSON `json:"offence"`
	Secret          bool         `json:"secret"`
	Parties         []partyJSON  `json:"parties"`
}

func (in createCaseJSON) toDomain() (domain.CaseInput, error) {
	out := domain.CaseInput{Kind: domain.CaseKind(in.Kind), UnitID: in.UnitID, Channel: domain.Channel(in.Channel), SourceType: domain.SourceType(in.SourceType),
		Summary: in.Summary, ReporterName: in.ReporterName, ReporterKind: domain.ReporterKind(in.ReporterKind), ReporterContact: in.ReporterContact, Secret: in.Secret}
	if out.ReporterKind == "" {
		out.ReporterKind = domain.ReporterPerson
	}
	if in.ReceivedAt != nil {
		out.ReceivedAt = *in.ReceivedAt
	}
	if in.Offence != nil {
		out.Offence = &domain.Offence{Article: in.Offence.Article, Clause: in.Offence.Clause, Point: in.Offence.Point}
	}
	var v domain.Validation
	for i, p := range in.Parties {
		dp := domain.Party{Role: domain.PartyRole(p.Role), FullName: p.FullName, NationalID: p.NationalID, Gender: p.Gender, Address: p.Address}
		if p.ID != "" {
			v.Add("parties["+strconv.Itoa(i)+"].id", "read_only", "id do hệ thống cấp")
		}
		if p.BirthDate != nil {
			t, err := time.Parse(time.DateOnly, *p.BirthDate)
			if err != nil {
				v.Add("parties["+strconv.Itoa(i)+"].birth_date", "format", "ngày sinh theo dạng YYYY-MM-DD")
			} else {
				dp.BirthDate = &t
			}
		}
		out.Parties = append(out.Parties, dp)
	}
	return out, v.Err()
}

// patchCaseJSON uses json.RawMessage for offence so that null (clear) and absent (keep) differ.
type patchCaseJSON struct {
	Version         int             `json:"version"`
	Summary         *string         `json:"summary"`
	Channel         *string         `json:"channel"`
	ReceivedAt      *time.Time      `json:"received_at"`
	ReporterName    *string         `json:"reporter_name"`
	ReporterContact *string         `json:"reporter_contact"`
	Offence         optionalOffence `json:"offence"`
	Secret          *bool           `json:"secret"`
}

// optionalOffence tells "absent" (Set false) from "null" (Set true, Value nil).
type optionalOffence struct {
	Set   bool
	Value *offenceJSON
}

// UnmarshalJSON records that the field was present.
func (o *optionalOffence) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		return nil
	}
	o.Value = &offenceJSON{}
	return strictUnmarshal(b, o.Value)
}

func (in patchCaseJSON) toDomain() domain.CasePatch {
	p := domain.CasePatch{Version: in.Version, Summary: in.Summary, ReceivedAt: in.ReceivedAt, ReporterName: in.ReporterName,
		ReporterContact: in.ReporterContact, Secret: in.Secret}
	if in.Channel != nil {
		ch := domain.Channel(*in.Channel)
		p.Channel = &ch
	}
	if in.Offence.Set {
		var o *domain.Offence
		if in.Offence.Value != nil {
			o = &domain.Offence{Article: in.Offence.Value.Article, Clause: in.Offence.Value.Clause, Point: in.Offence.Value.Point}
		}
		p.Offence = &o
	}
	return p
}

type casePageJSON struct {
	Items      []caseJSON `json:"items"`
	Total      int64      `json:"total"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// encodeCursor makes the keyset position opaque to clients.
func encodeCursor(c *domain.CaseCursor) string {
	if c == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.ReceivedAt.UnixMicro(), 10) + "|" + c.ID))
}

func decodeCursor(s string) (*domain.CaseCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, badRequest("cursor không hợp lệ; hãy bắt đầu lại từ trang đầu", "cursor")
	}
	ts, id, ok := strings.Cut(string(b), "|")
	micros, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || len(id) != 36 {
		return nil, badRequest("cursor không hợp lệ; hãy bắt đầu lại từ trang đầu", "cursor")
	}
	return &domain.CaseCursor{ReceivedAt: time.UnixMicro(micros), ID: id}, nil
}

type auditJSON struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	UserID     string    `json:"user_id,omitempty"`
	Username   string    `json:"username,omitempty"`
	UnitID     int64     `json:"unit_id,omitempty"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type,omitempty"`
	TargetID   string    `json:"target_id,omitempty"`
	TargetUnit int64     `json:"target_unit,omitempty"`
	RequestID  string    `json:"request_id,omitempty"`
	RemoteAddr string    `json:"remote_addr,omitempty"`
	Outcome    string    `json:"outcome"`
	Detail     string    `json:"detail"`
	Hash       string    `json:"hash"`
}
