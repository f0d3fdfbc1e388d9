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

// HearingStore keeps court hearings (phiên tòa). Every method joins the caller's transaction; the
// writes record the change feed in it.
type HearingStore interface {
	// InsertHearing adds a hearing; a second one of the same level waiting to be held on the same
	// case is a conflict.
	InsertHearing(ctx context.Context, h *domain.Hearing) error
	GetHearing(ctx context.Context, id string) (domain.Hearing, error)
	// UpdateHearingStatus moves a scheduled hearing to h.Status if it is still at version;
	// otherwise a conflict.
	UpdateHearingStatus(ctx context.Context, h *domain.Hearing, version int) error
	// ListHearings returns a page of hearings of the cases in scope, in date order, with the total.
	ListHearings(ctx context.Context, scope domain.Scope, f domain.HearingFilter) ([]domain.Hearing, int64, error)
}

// Hearings are the use cases of the court hearings a case is heard at and the hearing calendar
// (lịch xét xử) chiefs follow their level and the levels below by. A hearing is scheduled only
// when the case is at the stage the hearing belongs to and the decision that sets it is recorded
// (workflow.HearingTrigger); what became of it (held, postponed, adjourned, cancelled) is recorded
// once, by a conditional update on the version the caller read.
type Hearings struct {
	tx       TxRunner
	cases    CaseStore
	proc     ProcedureStore
	units    UnitStore
	users    UserStore
	hearings HearingStore
	authz    *Authz
	audit    Auditor
	clock    Clock
}

// NewHearings wires the hearing use cases.
func NewHearings(tx TxRunner, cases CaseStore, proc ProcedureStore, units UnitStore, users UserStore, hearings HearingStore, authz *Authz,
	audit Auditor, clock Clock) *Hearings {
	return &Hearings{tx: tx, cases: cases, proc: proc, units: units, users: users, hearings: hearings, authz: authz, audit: audit, clock: clock}
}

// HearingInput is what the procuracy knows of a hearing the court has set: the level, the court and
// when and where it sits, the prosecutor who attends. CourtName defaults to the issuer of the
// court's decision that set the hearing, ProsecutorID to the case's lead prosecutor, DecisionID to
// the latest decision that sets a hearing of the level.
type HearingInput struct {
	Level        domain.HearingLevel
	CourtName    string
	ScheduledAt  time.Time
	ExpectedEnd  *time.Time
	Place        string
	Room         string
	ProsecutorID string
	DecisionID   string
	Note         string
}

// RescheduleInput postpones or adjourns a hearing to its next sitting: the reason is required, and
// the next sitting's time; the place, room, court and prosecutor stay those of the hearing unless
// given.
type RescheduleInput struct {
	Version      int
	Reason       string
	ScheduledAt  time.Time
	ExpectedEnd  *time.Time
	CourtName    *string
	Place        *string
	Room         *string
	ProsecutorID string
}

// HearingOutcome records a hearing held or cancelled: a note (required as the reason of a
// cancellation) and, for a hearing held, the decision that came out of it when it is recorded.
type HearingOutcome struct {
	Version           int
	Note              string
	OutcomeDecisionID string
}

// Text limits the hearings table accepts.
const (
	maxCourtName  = 300
	maxPlace      = 300
	maxRoom       = 100
	maxHearingTxt = 2000
)

var errNoHearingRight = domain.Forbidden("bạn không có quyền lên lịch hoặc cập nhật phiên tòa của hồ sơ này")

// readable reports whether the caller may read the case's hearings.
func (s *Hearings) readable(p *Principal, cs *domain.Case) bool {
	return s.authz.Scope(p, domain.ActHearingRead).PermitsCase(cs.Ref(p.User.ID))
}

// maySchedule reports whether the caller may schedule (and record what became of) a hearing of the
// level on the case. A first-instance hearing is the business of the procuracy in charge of the
// case (its prosecutors on the team, its chiefs), as recording the case's decisions is; an appeal or
// cassation hearing is heard by a higher court, where the procuracy of the court's level attends,
// so the chiefs of a unit above the case's may schedule it too.
func (s *Hearings) maySchedule(p *Principal, cs *domain.Case, level domain.HearingLevel) bool {
	ref := cs.Ref(p.User.ID)
	for _, e := range s.authz.Scope(p, domain.ActHearingSchedule).Entries {
		if level == domain.HearingFirstInstance && e.UnitID != cs.UnitID {
			continue
		}
		if (domain.Scope{UserID: p.User.ID, Action: domain.ActHearingSchedule, Entries: []domain.ScopeEntry{e}}).PermitsCase(ref) {
			return true
		}
	}
	return false
}

// checkProsecutor refuses a prosecutor who cannot attend: the prosecutor who practises prosecution
// at a first-instance hearing is one of the case's team (Điều 289 BLTTHS: the procuracy of the
// court's level); at an appeal or cassation hearing it may also be a prosecutor or leader of a
// procuracy above the case's unit, the one at the level of the court hearing it.
func (s *Hearings) checkProsecutor(ctx context.Context, v *domain.Validation, cs *domain.Case, level domain.HearingLevel, userID string) error {
	if !validUUID(userID) {
		v.Add("prosecutor_id", "format", "mã kiểm sát viên không hợp lệ")
		return nil
	}
	for _, a := range cs.Team {
		if a.EndedAt == nil && a.UserID == userID {
			return nil
		}
	}
	if level != domain.HearingFirstInstance {
		u, err := s.users.GetUser(ctx, userID)
		if err != nil && domain.ErrorCodeOf(err) != domain.CodeNotFound {
			return err
		}
		if err == nil && u.Active {
			grants, err := s.users.GrantsOf(ctx, userID)
			if err != nil {
				return err
			}
			for _, g := range grants {
				if g.UnitID != cs.UnitID && g.UnitPath.Contains(cs.UnitPath) &&
					(g.Role == domain.RoleProsecutor || g.Role == domain.RoleDeputyChief || g.Role == domain.RoleChief) {
					return nil
				}
			}
		}
		v.Add("prosecutor_id", "attending_prosecutor", "kiểm sát viên dự phiên tòa phải thuộc nhóm thụ lý hồ sơ hoặc là kiểm sát viên, lãnh đạo của Viện kiểm sát cấp trên")
		return nil
	}
	v.Add("prosecutor_id", "on_team", "kiểm sát viên thực hành quyền công tố tại phiên tòa sơ thẩm phải thuộc nhóm thụ lý hồ sơ")
	return nil
}

func checkHearingText(v *domain.Validation, court, place, room, note string) {
	checkText(v, "court_name", court, true, maxCourtName)
	checkText(v, "place", place, false, maxPlace)
	checkText(v, "room", room, false, maxRoom)
	checkText(v, "note", note, false, maxHearingTxt)
}

// caseState is what the hearing rules judge a case by: its stage and its decisions with their
// derived statuses.
func (s *Hearings) caseState(ctx context.Context, cs *domain.Case) (*workflow.CaseState, error) {
	decisions, err := s.proc.ListDecisions(ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	return &workflow.CaseState{ID: cs.ID, Stage: cs.Stage, Kind: cs.Kind, UnitID: cs.UnitID, ReceivedAt: cs.ReceivedAt, Decisions: decisions}, nil
}

// Schedule records a hearing the court has set for a case. The case must be at the hearing's
// stage with the decision that sets it recorded (a first-instance hearing after the court's
// decision to bring the case to trial; an appeal hearing after the appeal or protest; 422
// otherwise, citing the article), the time must be plausible (not before that decision, not more
// than two years ahead), and the attending prosecutor one who may attend. A case has one hearing of
// a level waiting to be held at a time (409). Who may read the case but not schedule gets 403; who
// may not read it, 404.
func (s *Hearings) Schedule(ctx context.Context, p *Principal, caseID string, in HearingInput) (*domain.Hearing, error) {
	if !validUUID(caseID) {
		return nil, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	var out *domain.Hearing
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.proc.LockCase(ctx, caseID); err != nil {
			return err
		}
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		if !s.readable(p, cs) {
			return domain.NotFound("hồ sơ")
		}
		if !in.Level.Valid() {
			// Who may schedule no hearing of any level is refused before the level is judged.
			if !s.maySchedule(p, cs, domain.HearingAppeal) {
				denied = cs
				return nil
			}
			return domain.Invalid("level", "enum", "cấp xét xử là first_instance (sơ thẩm), appeal (phúc thẩm) hoặc cassation (giám đốc thẩm, tái thẩm)")
		}
		if !s.maySchedule(p, cs, in.Level) {
			denied = cs
			return nil
		}
		if in.DecisionID != "" && !validUUID(in.DecisionID) {
			return domain.Invalid("decision_id", "format", "mã quyết định không hợp lệ")
		}
		state, err := s.caseState(ctx, cs)
		if err != nil {
			return err
		}
		trigger, err := workflow.HearingTrigger(state, in.Level, in.DecisionID)
		if err != nil {
			return err
		}
		court := strings.TrimSpace(in.CourtName)
		if court == "" && trigger.Issuer == domain.IssuerCourt {
			court = strings.TrimSpace(trigger.IssuerName)
		}
		prosecutor := in.ProsecutorID
		if prosecutor == "" {
			prosecutor = cs.LeadProsecutorID()
		}
		var v domain.Validation
		checkHearingText(&v, court, in.Place, in.Room, in.Note)
		workflow.CheckHearingTime(&v, in.ScheduledAt, in.ExpectedEnd, trigger, now)
		if prosecutor == "" {
			v.Add("prosecutor_id", "required", "phải chọn kiểm sát viên thực hành quyền công tố tại phiên tòa (hồ sơ chưa có kiểm sát viên thụ lý chính)")
		} else if err := s.checkProsecutor(ctx, &v, cs, in.Level, prosecutor); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		h := &domain.Hearing{ID: mustUUIDv7(), CaseID: cs.ID, UnitID: cs.UnitID, Level: in.Level, CourtName: court, ScheduledAt: in.ScheduledAt,
			ExpectedEnd: in.ExpectedEnd, Place: strings.TrimSpace(in.Place), Room: strings.TrimSpace(in.Room), ProsecutorID: prosecutor,
			Note: strings.TrimSpace(in.Note), Status: domain.HearingScheduled, DecisionID: trigger.ID, Version: 1, CreatedBy: p.User.ID,
			CreatedAt: now, UpdatedAt: now}
		if err := s.hearings.InsertHearing(ctx, h); err != nil {
			return oneScheduled(err, in.Level)
		}
		detail, _ := json.Marshal(map[string]any{"hearing": h.ID, "level": h.Level, "scheduled_at": h.ScheduledAt, "decision": trigger.ID})
		if err := s.audit.Record(ctx, p.audit(now, "hearing.schedule", "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		got, err := s.hearings.GetHearing(ctx, h.ID)
		out = &got
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "hearing.schedule", "case", denied.ID, denied.UnitID, domain.OutcomeDenied,
			fmt.Sprintf(`{"level":%q}`, in.Level))); err != nil {
			return nil, err
		}
		return nil, errNoHearingRight
	}
	return out, nil
}

// oneScheduled turns the unique-index conflict of a second hearing waiting to be held into a
// message that says so.
func oneScheduled(err error, level domain.HearingLevel) error {
	if domain.ErrorCodeOf(err) != domain.CodeConflict {
		return err
	}
	return &domain.Error{Code: domain.CodeConflict, Message: "hồ sơ đã có một phiên tòa cùng cấp đang chờ xét xử: hãy hoãn, ghi nhận hoặc hủy phiên tòa đó trước",
		Details: []domain.Detail{{Field: "level", Rule: "one_scheduled", Message: string(level)}}, Err: err}
}

// hearingForWrite loads a hearing and its case, locked, for a change of its status: not found when
// the caller may not read the case, denied (with the case, for the audit row) when they may read it
// but not schedule its hearings of the level. The version the caller read is checked here: missing
// is a 422, stale a 409, and a hearing that already left scheduled a 422 naming the transition.
func (s *Hearings) hearingForWrite(ctx context.Context, p *Principal, id string, version int) (domain.Hearing, *domain.Case, bool, error) {
	h, err := s.hearings.GetHearing(ctx, id)
	if err != nil {
		return h, nil, false, err
	}
	// Writers of a case's hearings take turns on the case row, as its decisions' recorders do; the
	// hearing is read again under the lock, so a second writer sees the first one's change.
	if err := s.proc.LockCase(ctx, h.CaseID); err != nil {
		return h, nil, false, err
	}
	if h, err = s.hearings.GetHearing(ctx, id); err != nil {
		return h, nil, false, err
	}
	cs, err := s.cases.GetCase(ctx, h.CaseID)
	if err != nil {
		return h, nil, false, err
	}
	if !s.readable(p, cs) {
		return h, nil, false, domain.NotFound(hearingWhat)
	}
	if !s.maySchedule(p, cs, h.Level) {
		return h, cs, false, nil
	}
	switch {
	case version <= 0:
		return h, cs, true, domain.Invalid("version", "required", "phải gửi version của phiên tòa đã đọc")
	case version != h.Version:
		return h, cs, true, &domain.Error{Code: domain.CodeConflict, Message: "phiên tòa đã được người khác cập nhật; hãy tải lại và thử lại",
			Details: []domain.Detail{{Field: "version", Rule: "stale"}}}
	case h.Status != domain.HearingScheduled:
		return h, cs, true, domain.Invalid("status", "transition", fmt.Sprintf("phiên tòa đã ở trạng thái %s: chỉ cập nhật được phiên tòa đang chờ xét xử", h.Status))
	}
	return h, cs, true, nil
}

const hearingWhat = "phiên tòa"

// setStatus runs a status change of a hearing in one transaction: load and check (hearingForWrite),
// apply (change, which may insert the next sitting and returns the hearing to answer with), audit.
func (s *Hearings) setStatus(ctx context.Context, p *Principal, id string, version int, action string,
	change func(ctx context.Context, h *domain.Hearing, cs *domain.Case, now time.Time) (string, error)) (*domain.Hearing, error) {
	if !validUUID(id) {
		return nil, domain.NotFound(hearingWhat)
	}
	now := s.clock.Now()
	var out *domain.Hearing
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		h, cs, ok, err := s.hearingForWrite(ctx, p, id, version)
		if err != nil {
			return err
		}
		if !ok {
			denied = cs
			return nil
		}
		from := h.Status
		answer, err := change(ctx, &h, cs, now)
		if err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"hearing": h.ID, "from": from, "to": h.Status, "version": h.Version, "answer": answer})
		if err := s.audit.Record(ctx, p.audit(now, action, "case", cs.ID, cs.UnitID, domain.OutcomeSuccess, string(detail))); err != nil {
			return err
		}
		got, err := s.hearings.GetHearing(ctx, answer)
		out = &got
		return err
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, action, "case", denied.ID, denied.UnitID, domain.OutcomeDenied,
			fmt.Sprintf(`{"hearing":%q}`, id))); err != nil {
			return nil, err
		}
		return nil, errNoHearingRight
	}
	return out, nil
}

// Postpone records that a hearing was postponed (hoãn phiên tòa, Điều 297 BLTTHS) and schedules
// its next sitting, in one transaction; it returns the next sitting, which points back to the
// postponed hearing. The case must still be at the hearing's stage.
func (s *Hearings) Postpone(ctx context.Context, p *Principal, id string, in RescheduleInput) (*domain.Hearing, error) {
	return s.reschedule(ctx, p, id, in, domain.HearingPostponed)
}

// Adjourn records that a hearing which had opened was adjourned (tạm ngừng phiên tòa, Điều 251
// BLTTHS) and schedules the sitting where it resumes, like Postpone; a hearing that has not opened
// yet is postponed, not adjourned.
func (s *Hearings) Adjourn(ctx context.Context, p *Principal, id string, in RescheduleInput) (*domain.Hearing, error) {
	return s.reschedule(ctx, p, id, in, domain.HearingAdjourned)
}

func (s *Hearings) reschedule(ctx context.Context, p *Principal, id string, in RescheduleInput, to domain.HearingStatus) (*domain.Hearing, error) {
	return s.setStatus(ctx, p, id, in.Version, "hearing."+map[domain.HearingStatus]string{domain.HearingPostponed: "postpone", domain.HearingAdjourned: "adjourn"}[to],
		func(ctx context.Context, h *domain.Hearing, cs *domain.Case, now time.Time) (string, error) {
			state, err := s.caseState(ctx, cs)
			if err != nil {
				return "", err
			}
			trigger, err := workflow.HearingTrigger(state, h.Level, h.DecisionID)
			if err != nil {
				return "", err
			}
			next := *h
			next.ID, next.ScheduledAt, next.ExpectedEnd, next.RescheduledFrom = mustUUIDv7(), in.ScheduledAt, in.ExpectedEnd, h.ID
			if in.CourtName != nil {
				next.CourtName = strings.TrimSpace(*in.CourtName)
			}
			if in.Place != nil {
				next.Place = strings.TrimSpace(*in.Place)
			}
			if in.Room != nil {
				next.Room = strings.TrimSpace(*in.Room)
			}
			if in.ProsecutorID != "" {
				next.ProsecutorID = in.ProsecutorID
			}
			var v domain.Validation
			checkText(&v, "reason", in.Reason, true, maxHearingTxt)
			if to == domain.HearingAdjourned && h.ScheduledAt.After(now) {
				v.Add("status", "not_opened", "phiên tòa chưa mở nên không thể tạm ngừng: hãy hoãn phiên tòa (postpone)")
			}
			checkHearingText(&v, next.CourtName, next.Place, next.Room, "")
			workflow.CheckHearingTime(&v, in.ScheduledAt, in.ExpectedEnd, trigger, now)
			if !in.ScheduledAt.IsZero() && !in.ScheduledAt.After(h.ScheduledAt) {
				v.Add("scheduled_at", "after_previous", "phiên tòa tiếp theo phải sau thời điểm của phiên tòa bị "+map[domain.HearingStatus]string{
					domain.HearingPostponed: "hoãn", domain.HearingAdjourned: "tạm ngừng"}[to])
			}
			if err := s.checkProsecutor(ctx, &v, cs, h.Level, next.ProsecutorID); err != nil {
				return "", err
			}
			if err := v.Err(); err != nil {
				return "", err
			}
			h.Status, h.StatusNote, h.StatusAt, h.StatusBy, h.UpdatedAt = to, strings.TrimSpace(in.Reason), &now, p.User.ID, now
			if err := s.hearings.UpdateHearingStatus(ctx, h, in.Version); err != nil {
				return "", err
			}
			next.Status, next.StatusNote, next.StatusAt, next.StatusBy, next.OutcomeDecisionID = domain.HearingScheduled, "", nil, "", ""
			next.Version, next.CreatedBy, next.CreatedAt, next.UpdatedAt, next.RescheduledTo = 1, p.User.ID, now, now, ""
			if err := s.hearings.InsertHearing(ctx, &next); err != nil {
				return "", oneScheduled(err, next.Level)
			}
			return next.ID, nil
		})
}

// Held records that a hearing took place. It cannot be recorded before the hearing's time; the
// decision that came out of it (the judgment), when given, must be one of the case's decisions.
func (s *Hearings) Held(ctx context.Context, p *Principal, id string, in HearingOutcome) (*domain.Hearing, error) {
	return s.setStatus(ctx, p, id, in.Version, "hearing.held", func(ctx context.Context, h *domain.Hearing, cs *domain.Case, now time.Time) (string, error) {
		var v domain.Validation
		checkText(&v, "note", in.Note, false, maxHearingTxt)
		if h.ScheduledAt.After(now) {
			v.Add("status", "not_opened", "phiên tòa chưa đến thời điểm mở: chưa thể ghi nhận đã xét xử")
		}
		if in.OutcomeDecisionID != "" {
			d, err := s.proc.GetDecision(ctx, in.OutcomeDecisionID)
			switch {
			case !validUUID(in.OutcomeDecisionID) || domain.ErrorCodeOf(err) == domain.CodeNotFound || (err == nil && d.CaseID != cs.ID):
				v.Add("outcome_decision_id", "case_decision", "phải là một quyết định đã ghi nhận của hồ sơ này")
			case err != nil:
				return "", err
			}
		}
		if err := v.Err(); err != nil {
			return "", err
		}
		h.Status, h.StatusNote, h.StatusAt, h.StatusBy, h.UpdatedAt = domain.HearingHeld, strings.TrimSpace(in.Note), &now, p.User.ID, now
		h.OutcomeDecisionID = in.OutcomeDecisionID
		return h.ID, s.hearings.UpdateHearingStatus(ctx, h, in.Version)
	})
}

// Cancel records that a hearing will not take place (the case left the court, the date was set by
// mistake); the reason is required. Nothing is deleted: the hearing stays in the calendar as
// cancelled.
func (s *Hearings) Cancel(ctx context.Context, p *Principal, id string, in HearingOutcome) (*domain.Hearing, error) {
	return s.setStatus(ctx, p, id, in.Version, "hearing.cancel", func(ctx context.Context, h *domain.Hearing, cs *domain.Case, now time.Time) (string, error) {
		var v domain.Validation
		checkText(&v, "reason", in.Note, true, maxHearingTxt)
		if in.OutcomeDecisionID != "" {
			v.Add("outcome_decision_id", "only_when_held", "chỉ phiên tòa đã xét xử mới có quyết định kết quả")
		}
		if err := v.Err(); err != nil {
			return "", err
		}
		h.Status, h.StatusNote, h.StatusAt, h.StatusBy, h.UpdatedAt = domain.HearingCancelled, strings.TrimSpace(in.Note), &now, p.User.ID, now
		return h.ID, s.hearings.UpdateHearingStatus(ctx, h, in.Version)
	})
}

// Get returns one hearing of a case the caller may read; the read is audited, like the case's.
func (s *Hearings) Get(ctx context.Context, p *Principal, id string) (*domain.Hearing, error) {
	return readCaseRecord(ctx, s.tx, s.cases, s.audit, p, s.clock.Now(), func(cs *domain.Case) bool { return s.readable(p, cs) },
		hearingWhat, "hearing.read", "hearing", id, func(ctx context.Context) (domain.Hearing, string, error) {
			h, err := s.hearings.GetHearing(ctx, id)
			return h, h.CaseID, err
		})
}

// MaxCaseHearings bounds the hearings a case's list returns; a case has a handful.
const MaxCaseHearings = 200

// CaseHearings returns every hearing of one case the caller may read (postponed ones with their
// next sittings), in date order; the read is audited like the case's.
func (s *Hearings) CaseHearings(ctx context.Context, p *Principal, caseID string) ([]domain.Hearing, int64, error) {
	if !validUUID(caseID) {
		return nil, 0, domain.NotFound("hồ sơ")
	}
	now := s.clock.Now()
	var out []domain.Hearing
	var total int64
	var denied *domain.Case
	err := s.tx.WithinTx(ctx, func(ctx context.Context) error {
		cs, err := s.cases.GetCase(ctx, caseID)
		if err != nil {
			return err
		}
		if !s.readable(p, cs) {
			denied = cs
			return nil
		}
		scope := s.authz.Scope(p, domain.ActHearingRead)
		if out, total, err = s.hearings.ListHearings(ctx, scope, domain.HearingFilter{CaseID: &caseID, Limit: MaxCaseHearings}); err != nil {
			return err
		}
		return s.audit.Record(ctx, p.audit(now, "case.hearings", "case", caseID, cs.UnitID, domain.OutcomeSuccess, ""))
	})
	if err != nil {
		return nil, 0, err
	}
	if denied != nil {
		if err := recordDenied(ctx, s.audit, p.audit(now, "case.hearings", "case", caseID, denied.UnitID, domain.OutcomeDenied, "")); err != nil {
			return nil, 0, err
		}
		return nil, 0, domain.NotFound("hồ sơ")
	}
	return out, total, nil
}

// The hearing calendar's period: by default the 30 days from today; at most 366 days, so that one
// calendar stays one index range of a few thousand rows even for a province.
const (
	DefaultCalendarDays = 30
	MaxCalendarDays     = 366
)

// CalendarQuery asks for the hearing calendar of a unit (0: the caller's own), alone or with every
// unit below it, over [From, To) (midnights in Vietnam; nil takes the default window), narrowed
// by level, status and attending prosecutor, one page at a time.
type CalendarQuery struct {
	UnitID          int64
	IncludeSubunits bool
	From, To        *time.Time
	Levels          []domain.HearingLevel
	Statuses        []domain.HearingStatus
	ProsecutorID    *string
	Limit, Offset   int
}

// HearingCalendar is one page of a calendar with the period and unit it covers and the total.
type HearingCalendar struct {
	UnitID          int64
	IncludeSubunits bool
	From, To        time.Time
	Items           []domain.Hearing
	Total           int64
}

// Calendar is the hearing calendar (lịch xét xử) a chief follows every trial of their level and
// below by: the hearings of a unit (and, with IncludeSubunits, of its whole subtree) in a period,
// in date order, of the cases the caller may read. A unit the caller cannot reach is not found,
// exactly like one that does not exist (as the caseload answers); an inverted or too long period is
// a 422 naming the field. The read is audited.
func (s *Hearings) Calendar(ctx context.Context, p *Principal, q CalendarQuery) (HearingCalendar, error) {
	now := s.clock.Now()
	today := domain.DateOf(now)
	from, to := today, today.AddDate(0, 0, DefaultCalendarDays)
	switch {
	case q.From != nil && q.To != nil:
		from, to = *q.From, *q.To
	case q.From != nil:
		from, to = *q.From, q.From.AddDate(0, 0, DefaultCalendarDays)
	case q.To != nil:
		from, to = q.To.AddDate(0, 0, -DefaultCalendarDays), *q.To
	}
	var v domain.Validation
	switch {
	case !from.Before(to):
		v.Add("to", "after_from", "ngày kết thúc không được trước ngày bắt đầu")
	case to.Sub(from) > MaxCalendarDays*24*time.Hour+time.Hour: // a daylight-saving hour never applies in Vietnam, but costs nothing
		v.Add("to", "max_span", fmt.Sprintf("lịch xét xử tối đa %d ngày một lần", MaxCalendarDays))
	}
	for _, l := range q.Levels {
		if !l.Valid() {
			v.Add("level", "enum", "cấp xét xử là first_instance, appeal hoặc cassation")
			break
		}
	}
	for _, st := range q.Statuses {
		if !st.Valid() {
			v.Add("status", "enum", "trạng thái là scheduled, held, postponed, adjourned hoặc cancelled")
			break
		}
	}
	if q.ProsecutorID != nil && !validUUID(*q.ProsecutorID) {
		v.Add("prosecutor_id", "format", "mã kiểm sát viên không hợp lệ")
	}
	if err := checkPage(&q.Limit, &q.Offset); err != nil {
		return HearingCalendar{}, err
	}
	if err := v.Err(); err != nil {
		return HearingCalendar{}, err
	}
	unitID := q.UnitID
	if unitID == 0 {
		unitID = p.User.UnitID
	}
	scope := s.authz.Scope(p, domain.ActHearingRead)
	u, err := s.units.GetUnit(ctx, unitID)
	if domain.ErrorCodeOf(err) == domain.CodeNotFound {
		return HearingCalendar{}, domain.NotFound("đơn vị")
	} else if err != nil {
		return HearingCalendar{}, err
	}
	if !scope.PermitsUnit(u.ID, u.Path) && !(q.IncludeSubunits && reachesBelow(scope, u.Path)) {
		return HearingCalendar{}, domain.NotFound("đơn vị")
	}
	cal := HearingCalendar{UnitID: u.ID, IncludeSubunits: q.IncludeSubunits, From: from, To: to}
	err = s.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		cal.Items, cal.Total, err = s.hearings.ListHearings(ctx, scope, domain.HearingFilter{UnitID: &u.ID, IncludeSubunits: q.IncludeSubunits,
			From: &from, To: &to, Levels: q.Levels, Statuses: q.Statuses, ProsecutorID: q.ProsecutorID, Limit: q.Limit, Offset: q.Offset})
		if err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"unit_id": u.ID, "include_subunits": q.IncludeSubunits, "from": from, "to": to,
			"level": q.Levels, "status": q.Statuses, "prosecutor_id": q.ProsecutorID, "returned": len(cal.Items), "total": cal.Total})
		return s.audit.Record(ctx, p.audit(now, "hearing.list", "unit", "", u.ID, domain.OutcomeSuccess, string(detail)))
	})
	if err != nil {
		return HearingCalendar{}, err
	}
	return cal, nil
}

// HearingStatusesFrom are the statuses a hearing may go to from s, for clients.
func HearingStatusesFrom(s domain.HearingStatus) []domain.HearingStatus {
	if s != domain.HearingScheduled {
		return []domain.HearingStatus{}
	}
	return slices.Clone(domain.HearingStatuses[1:])
}
