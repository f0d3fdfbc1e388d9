package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// ClockStore keeps the stored clocks of cases, the violations found on them and the outbox of
// the events they cause. Every method joins the caller's transaction.
type ClockStore interface {
	// LockCaseClocks returns the stored clocks of a case by key, locking them until the
	// transaction ends, so a monitor running meanwhile skips them instead of racing the recompute.
	LockCaseClocks(ctx context.Context, caseID string) (map[string]domain.ClockRecord, error)
	// SaveCaseClocks writes the clocks of a case (insert or update by key) and deletes the stored
	// ones whose keys are in remove.
	SaveCaseClocks(ctx context.Context, caseID string, clocks []domain.ClockRecord, remove []string) error
	// UpsertViolations records violations; one that exists for the same clock gets the new met and
	// withdrawn times (a withdrawn violation found again is in force again).
	UpsertViolations(ctx context.Context, vs []domain.Violation) error
	// WithdrawViolationsExcept withdraws the violations in force of a case except those of the
	// clocks named by keys.
	WithdrawViolationsExcept(ctx context.Context, caseID string, keys []string, at time.Time) error
	// EnqueueOutbox adds events; an event whose dedup key exists is not added again.
	EnqueueOutbox(ctx context.Context, evs []domain.OutboxEvent) error
	ListClocks(ctx context.Context, scope domain.Scope, f domain.ClockFilter) ([]domain.ClockListItem, int64, error)
	ListViolations(ctx context.Context, scope domain.Scope, f domain.ViolationFilter) ([]domain.Violation, int64, error)
	// CaseIDsAfter pages through every case id in order.
	CaseIDsAfter(ctx context.Context, after string, limit int) ([]string, error)
	// CaseIDsCountingThrough returns the cases with a clock counted across the days from..to.
	CaseIDsCountingThrough(ctx context.Context, from, to time.Time) ([]string, error)
}

// ClockRecords turns the clocks the engine computed for a case into the records the store keeps,
// with the case's unit and secrecy. clocks must be in the engine's order (before sorting by
// urgency), which names each clock's occurrence.
func ClockRecords(cs *domain.Case, clocks []workflow.Clock, now time.Time) []domain.ClockRecord {
	caseID := cs.ID
	keys := workflow.ClockKeys(clocks)
	out := make([]domain.ClockRecord, len(clocks))
	for i, c := range clocks {
		r := domain.ClockRecord{CaseID: caseID, UnitID: cs.UnitID, Secret: cs.Secret, Key: keys[i], Rule: string(c.Rule), Subject: c.Subject, SubjectID: c.SubjectID, AccusedID: c.AccusedID,
			Article: c.Article, NameVI: c.NameVI, NameEN: c.NameEN, StartAt: c.Start, LengthUnit: string(c.Length.Unit), LengthN: c.Length.N,
			ExtensionsUsed: len(c.Extensions), ExtensionsLeft: c.ExtensionsLeft, EarliestLastDay: c.Due.Earliest.LastDay,
			LatestLastDay: c.Due.Latest.LastDay, EarliestDue: c.Due.Earliest.Deadline, LatestDue: c.Due.Latest.Deadline, WarnAt: workflow.WarnAt(c), Lapses: workflow.Lapses(c),
			Rolled: c.Due.Rolled, Uncovered: c.Due.Uncovered, Status: string(c.Status), EndedAt: c.EndedOn, ExplanationVI: c.ExplanationVI,
			ExplanationEN: c.ExplanationEN, ComputedAt: now, StatusChangedAt: now}
		if r.EarliestDue.After(r.LatestDue) {
			r.EarliestDue = r.LatestDue
		}
		out[i] = r
	}
	return out
}

// ClockEventKey is the dedup key of the event a clock's status change causes. It names the due
// date too, so a clock extended after its warning warns again for the new date, while the same
// change seen by two monitors, or by a monitor and a recompute, is one event.
func ClockEventKey(caseID, clockKey, status string, latestDue time.Time) string {
	return fmt.Sprintf("clock:%s:%s:%s:%d", caseID, clockKey, status, latestDue.Unix())
}

// Topics of outbox events.
const (
	TopicClockDueSoon   = "clock.due_soon"
	TopicClockMissed    = "clock.missed"
	TopicClockMetLate   = "clock.met_late"
	detectedByRecompute = "recompute"
)

// ClockEventPayload is the JSON body of a clock event: enough for a channel to write its message
// without reading the case again.
type ClockEventPayload struct {
	CaseID        string `json:"case_id"`
	CaseNumber    string `json:"case_number"`
	ClockKey      string `json:"clock_key"`
	Rule          string `json:"rule"`
	Article       string `json:"article"`
	NameVI        string `json:"name_vi"`
	NameEN        string `json:"name_en"`
	Status        string `json:"status"`
	Subject       string `json:"subject"`
	SubjectID     string `json:"subject_id"`
	AccusedID     string `json:"accused_id,omitempty"`
	LatestDue     string `json:"latest_due"`
	LatestLastDay string `json:"latest_last_day"`
}

// recomputeClocks recomputes every clock of a case inside the transaction of the change that
// affects them (a decision, an approval, a correction, a transfer) and stores them, so lists and
// the monitor never run the engine. A clock that the recompute finds due soon, missed or met late
// for the first time causes its outbox event and, for the last two, its violation, exactly as the
// monitor would have: both write under the same dedup keys, so whichever sees it first records it
// once. A violation whose clock turns out kept (a corrected date) is withdrawn.
func (s *Procedure) recomputeClocks(ctx context.Context, caseID string, now time.Time) error {
	// The case is read without what only authorization and the timeline need (parties, former
	// units): a recompute runs inside a write that has already judged the caller.
	cs, err := s.cases.GetCaseWithTeam(ctx, caseID)
	if err != nil {
		return err
	}
	accused, err := s.proc.ListAccused(ctx, caseID)
	if err != nil {
		return err
	}
	return s.recomputeFrom(ctx, cs, accused, now)
}

// recomputeFrom recomputes a case's clocks and findings from the case and accused the caller has
// just read in the same transaction (a decision's outcome), reading only its decisions.
func (s *Procedure) recomputeFrom(ctx context.Context, cs *domain.Case, accused []domain.Accused, now time.Time) error {
	decisions, err := s.proc.ListDecisions(ctx, cs.ID)
	if err != nil {
		return err
	}
	st := CaseStateOf(cs, accused, decisions, s.catalog)
	if st.Calendar, st.Authorities, err = s.reference(ctx); err != nil {
		return err
	}
	cc := &caseContext{cs: cs, state: st}
	if err := s.storeClocks(ctx, cc, workflow.Clocks(cc.state, cc.state.Calendar, now), now); err != nil {
		return err
	}
	// The procedural-defect checker reads the same state: its findings commit with the change too.
	return s.storeFindings(ctx, cc, now)
}

func (s *Procedure) storeClocks(ctx context.Context, cc *caseContext, clocks []workflow.Clock, now time.Time) error {
	caseID := cc.cs.ID
	old, err := s.clocks.LockCaseClocks(ctx, caseID)
	if err != nil {
		return err
	}
	recs := ClockRecords(cc.cs, clocks, now)
	keep := make(map[string]bool, len(recs))
	var events []domain.OutboxEvent
	var violations []domain.Violation
	var changed []domain.ClockRecord
	violating := []string{}
	withdraw := false
	lead := cc.cs.LeadProsecutorID()
	for i := range recs {
		r := &recs[i]
		keep[r.Key] = true
		prev, had := old[r.Key]
		if had && prev.Status == r.Status {
			r.StatusChangedAt = prev.StatusChangedAt
		}
		same := had && sameClock(prev, *r)
		if !same {
			changed = append(changed, *r)
		}
		met, late := violationOf(r)
		if late {
			violating = append(violating, r.Key)
			// A violation already recorded for the clock as it stands needs no write.
			if !same || !wasViolating(prev) {
				violations = append(violations, domain.Violation{CaseID: caseID, ClockKey: r.Key, Rule: r.Rule, Article: r.Article, NameVI: r.NameVI,
					NameEN: r.NameEN, Subject: r.Subject, SubjectID: r.SubjectID, AccusedID: r.AccusedID, DueAt: r.LatestDue, DetectedAt: now,
					DetectedBy: detectedByRecompute, MetAt: met, UnitID: cc.cs.UnitID, ProsecutorID: lead})
			}
		} else if had && wasViolating(prev) {
			withdraw = true
		}
		if topic := clockTopic(r.Status); topic != "" && (!had || prev.Status != r.Status) &&
			(r.Status != domain.ClockStatusMetLate || !had || prev.Status != domain.ClockStatusMissed) {
			events = append(events, clockEvent(cc.cs, *r, topic, now))
		}
	}
	var remove []string
	for k, prev := range old {
		if !keep[k] {
			remove = append(remove, k)
			withdraw = withdraw || wasViolating(prev)
		}
	}
	slices.Sort(remove)
	if len(changed) > 0 || len(remove) > 0 {
		if err := s.clocks.SaveCaseClocks(ctx, caseID, changed, remove); err != nil {
			return err
		}
	}
	if len(violations) > 0 {
		if err := s.clocks.UpsertViolations(ctx, violations); err != nil {
			return err
		}
	}
	// Whatever no longer shows a limit run out (a corrected date, a suspension found to be on
	// time, a clock gone) is withdrawn; the row stays, with when.
	if withdraw {
		if err := s.clocks.WithdrawViolationsExcept(ctx, caseID, violating, now); err != nil {
			return err
		}
	}
	if len(events) > 0 {
		return s.clocks.EnqueueOutbox(ctx, events)
	}
	return nil
}

// wasViolating says whether a stored clock may have a violation in force: only one that was
// missed, met late or stopped late can have one (the rest were withdrawn when they changed).
func wasViolating(r domain.ClockRecord) bool {
	_, late := violationOf(&r)
	return late
}

// sameClock says whether a recomputed clock is the stored one: then nothing is written, and its
// computed_at stays the time it last changed.
func sameClock(a, b domain.ClockRecord) bool {
	eq := func(x, y time.Time) bool { return x.Equal(y) }
	eqp := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.UnitID == b.UnitID && a.Secret == b.Secret && a.Rule == b.Rule && a.Subject == b.Subject && a.SubjectID == b.SubjectID &&
		a.AccusedID == b.AccusedID && a.Article == b.Article && a.NameVI == b.NameVI && a.NameEN == b.NameEN && eq(a.StartAt, b.StartAt) &&
		a.LengthUnit == b.LengthUnit && a.LengthN == b.LengthN && a.ExtensionsUsed == b.ExtensionsUsed && a.ExtensionsLeft == b.ExtensionsLeft &&
		eq(a.EarliestLastDay, b.EarliestLastDay) && eq(a.LatestLastDay, b.LatestLastDay) && eq(a.EarliestDue, b.EarliestDue) &&
		eq(a.LatestDue, b.LatestDue) && eq(a.WarnAt, b.WarnAt) && a.Lapses == b.Lapses && a.Rolled == b.Rolled && a.Uncovered == b.Uncovered &&
		a.Status == b.Status && eqp(a.EndedAt, b.EndedAt) && a.ExplanationVI == b.ExplanationVI && a.ExplanationEN == b.ExplanationEN
}

// violationOf says whether a clock shows its limit run out, and when the act finally came:
// missed (not yet), met late (then), or stopped by a suspension after it had already run out (the
// suspension ends it). A window that lapsed, and a clock met or stopped in time, is no violation.
func violationOf(r *domain.ClockRecord) (*time.Time, bool) {
	switch r.Status {
	case domain.ClockStatusMissed:
		return nil, true
	case domain.ClockStatusMetLate:
		return r.EndedAt, true
	case domain.ClockStatusStopped:
		if r.EndedAt != nil && !r.EndedAt.Before(r.LatestDue) {
			return r.EndedAt, true
		}
	}
	return nil, false
}

func clockTopic(status string) string {
	switch status {
	case domain.ClockStatusDueSoon:
		return TopicClockDueSoon
	case domain.ClockStatusMissed:
		return TopicClockMissed
	case domain.ClockStatusMetLate:
		return TopicClockMetLate
	}
	return ""
}

func clockEvent(cs *domain.Case, r domain.ClockRecord, topic string, now time.Time) domain.OutboxEvent {
	p, _ := json.Marshal(ClockEventPayload{CaseID: cs.ID, CaseNumber: cs.Number, ClockKey: r.Key, Rule: r.Rule, Article: r.Article,
		NameVI: r.NameVI, NameEN: r.NameEN, Status: r.Status, Subject: r.Subject, SubjectID: r.SubjectID, AccusedID: r.AccusedID,
		LatestDue: r.LatestDue.In(VietnamTime).Format(time.RFC3339), LatestLastDay: r.LatestLastDay.Format(time.DateOnly)})
	return domain.OutboxEvent{DedupKey: ClockEventKey(cs.ID, r.Key, r.Status, r.LatestDue), Topic: topic, CaseID: cs.ID, UnitID: cs.UnitID,
		Payload: p, CreatedAt: now, NextAttemptAt: now}
}

// RecomputeCases recomputes and stores the clocks of the given cases at now, each case locked
// while it is recomputed so a decision recorded meanwhile waits for it (or it for the decision),
// in the caller's transaction or in one of its own.
func (s *Procedure) RecomputeCases(ctx context.Context, ids []string) error {
	now := s.clock.Now()
	return s.tx.WithinTx(ctx, func(ctx context.Context) error {
		for _, id := range ids {
			if err := s.proc.LockCase(ctx, id); err != nil {
				return err
			}
			if err := s.recomputeClocks(ctx, id, now); err != nil {
				return fmt.Errorf("recompute clocks of case %s: %w", id, err)
			}
		}
		return nil
	})
}

// RecomputeAll recomputes the stored clocks of every case, batch cases to a transaction, and
// returns how many: for a database migrated from before stored clocks, or after a change of rules.
// progress, when set, is called after each batch.
func (s *Procedure) RecomputeAll(ctx context.Context, batch int, progress func(done int)) (int, error) {
	if batch <= 0 {
		batch = 200
	}
	done, after := 0, ""
	for {
		ids, err := s.clocks.CaseIDsAfter(ctx, after, batch)
		if err != nil || len(ids) == 0 {
			return done, err
		}
		if err := s.RecomputeCases(ctx, ids); err != nil {
			return done, err
		}
		done += len(ids)
		after = ids[len(ids)-1]
		if progress != nil {
			progress(done)
		}
	}
}

// recomputeAround recomputes, in the caller's transaction, the cases whose clocks count across a
// date whose legal-calendar entry changed: the stored clocks then agree with the calendar as soon
// as the edit commits.
func (s *Procedure) recomputeAround(ctx context.Context, date time.Time) error {
	ids, err := s.clocks.CaseIDsCountingThrough(ctx, date, date)
	if err != nil {
		return err
	}
	return s.RecomputeCases(ctx, ids)
}
