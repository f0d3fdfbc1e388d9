package gen

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
)

// rowSet holds a batch's rows for COPY, table by table.
type rowSet struct {
	cases, parties, leads, decisions, accused, charges, measures, clocks, violations [][]any
}

type table struct {
	name    string
	columns []string
	rows    [][]any
}

// tables lists the batch's tables in an order that satisfies every foreign key: a table comes
// after the ones it references (self-references are checked at the end of each COPY).
func (w *rowSet) tables() []table {
	return []table{
		{"cases", []string{"id", "kind", "number", "seq", "year", "code", "unit_id", "stage", "received_at", "channel", "source_type", "summary",
			"reporter_name", "reporter_kind", "reporter_contact", "offence_article", "offence_clause", "offence_point", "secret", "version",
			"created_by", "created_at", "updated_at", "report_number"}, w.cases},
		{"case_parties", []string{"id", "case_id", "role", "full_name", "national_id", "birth_date", "gender", "address", "created_at"}, w.parties},
		{"case_assignments", []string{"id", "case_id", "user_id", "role", "assigned_by", "assigned_at", "note"}, w.leads},
		{"case_decisions", []string{"id", "case_id", "seq", "step", "doc_type", "number", "issuer", "issuer_name", "signer", "issued_on",
			"effective_on", "accused_ids", "measure_id", "legal_basis", "note", "requires_approval", "decides_id", "outcome", "returned_by",
			"from_stage", "to_stage", "unit_id", "recorded_by", "recorded_at"}, w.decisions},
		{"accused", []string{"id", "case_id", "full_name", "national_id", "birth_date", "gender", "address", "offence_date", "status",
			"decision_id", "version", "created_at", "updated_at"}, w.accused},
		{"charges", []string{"id", "accused_id", "article", "clause", "point", "title", "class", "offence_date", "decision_id", "ended_by",
			"proposed", "created_at"}, w.charges},
		{"measures", []string{"id", "case_id", "accused_id", "kind", "stage", "start_at", "ordered_end", "extends_id", "extension_no",
			"decision_id", "status", "ended_at", "ended_by", "created_at"}, w.measures},
		{"case_clocks", []string{"case_id", "unit_id", "secret", "clock_key", "rule", "subject", "subject_id", "accused_id", "article", "name_vi", "name_en",
			"start_at", "length_unit", "length_n", "extensions_used", "extensions_left", "earliest_last_day", "latest_last_day", "earliest_due",
			"latest_due", "warn_at", "lapses", "rolled", "uncovered", "status", "ended_at", "explanation_vi", "explanation_en", "computed_at",
			"status_changed_at"}, w.clocks},
		{"violations", []string{"case_id", "clock_key", "rule", "article", "name_vi", "name_en", "subject", "subject_id", "accused_id",
			"due_at", "detected_at", "detected_by", "met_at", "unit_id", "prosecutor_id"}, w.violations},
	}
}

// id encodes a uuid held as a string for COPY; "" is NULL.
func id(s string) any {
	if s == "" {
		return nil
	}
	return [16]byte(uuid.MustParse(s))
}

// date is a calendar date for a date column: its Vietnamese day, whatever the zone of t.
func date(t time.Time) time.Time {
	t = t.In(domain.ICT)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func optDate(t *time.Time) any {
	if t == nil {
		return nil
	}
	return date(*t)
}

func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// add turns a generated case into rows. The violations are those a recompute would record for
// the clocks it finds missed or met late (detected by "recompute" at now); the outbox events a
// recompute would also enqueue are left out, so that the notification dispatcher does not deliver
// a backlog of synthetic alerts.
func (w *rowSet) add(c *caseRec, reportNumber, code string, now time.Time) {
	var article, clause any
	if c.article > 0 {
		article = int32(c.article)
		if c.clause > 0 {
			clause = int32(c.clause)
		}
	}
	caseID := [16]byte(c.id)
	w.cases = append(w.cases, []any{caseID, string(c.kind), fmt.Sprintf("%d/%d/%s", c.seq, c.year, c.kind.NumberTag()), int32(c.seq), int32(c.year),
		code, c.unit.id, string(c.stage), c.receivedAt, string(c.channel), string(c.source), c.summary, c.reporter, string(c.repKind), c.contact,
		article, clause, "", c.secret, int32(c.version), [16]byte(c.createdBy), c.createdAt, c.updatedAt, reportNumber})
	for _, p := range c.parties {
		w.parties = append(w.parties, []any{[16]byte(p.id), caseID, string(p.role), p.name, p.nationalID, p.birth, p.gender, p.address, c.createdAt})
	}
	var lead any
	if c.lead != nil {
		lead = [16]byte(c.lead.userID)
		w.leads = append(w.leads, []any{[16]byte(c.lead.id), caseID, lead, string(domain.AssignLead), [16]byte(c.lead.assignedBy), c.lead.at, "Phân công thụ lý"})
	}
	for _, d := range c.decisions {
		accused := make([][16]byte, len(d.AccusedIDs))
		for i, a := range d.AccusedIDs {
			accused[i] = [16]byte(uuid.MustParse(a))
		}
		w.decisions = append(w.decisions, []any{id(d.ID), caseID, int32(d.Seq), string(d.Step), string(d.Type), d.Number, string(d.Issuer), d.IssuerName,
			d.Signer, date(d.IssuedOn), date(d.EffectiveOn), accused, id(d.MeasureID), d.LegalBasis, d.Note, d.RequiresApproval, id(d.DecidesID),
			string(d.Outcome), d.ReturnedBy, string(d.FromStage), string(d.ToStage), d.UnitID, id(d.RecordedBy), d.RecordedAt})
	}
	for _, a := range c.accused {
		updated := a.CreatedAt
		if t, ok := c.accusedUpdated[a.ID]; ok {
			updated = t
		}
		w.accused = append(w.accused, []any{id(a.ID), caseID, a.FullName, a.NationalID, optDate(a.BirthDate), a.Gender, a.Address, date(a.OffenceDate),
			string(a.Status), id(a.DecisionID), int32(a.Version), a.CreatedAt, updated})
		for _, ch := range a.Charges {
			w.charges = append(w.charges, []any{id(ch.ID), id(a.ID), ch.Article, int32(ch.Clause), ch.Point, ch.Title, string(ch.Class),
				date(ch.OffenceDate), id(ch.DecisionID), id(ch.EndedByID), ch.Proposed, ch.CreatedAt})
		}
		for _, m := range a.Measures {
			w.measures = append(w.measures, []any{id(m.ID), caseID, id(a.ID), string(m.Kind), string(m.Stage), m.StartAt, optDate(m.OrderedEnd),
				id(m.ExtendsID), int32(m.ExtensionNo), id(m.DecisionID), string(m.Status), optTime(m.EndedAt), id(m.EndedByID), m.CreatedAt})
		}
	}
	for _, r := range c.clocks {
		w.clocks = append(w.clocks, []any{caseID, r.UnitID, r.Secret, r.Key, r.Rule, r.Subject, r.SubjectID, id(r.AccusedID), r.Article, r.NameVI, r.NameEN, r.StartAt,
			r.LengthUnit, int32(r.LengthN), int32(r.ExtensionsUsed), int32(r.ExtensionsLeft), date(r.EarliestLastDay), date(r.LatestLastDay),
			r.EarliestDue, r.LatestDue, r.WarnAt, r.Lapses, r.Rolled, r.Uncovered, r.Status, optTime(r.EndedAt), r.ExplanationVI, r.ExplanationEN,
			r.ComputedAt, r.StatusChangedAt})
		if r.Status == domain.ClockStatusMissed || r.Status == domain.ClockStatusMetLate {
			var met any
			if r.Status == domain.ClockStatusMetLate {
				met = optTime(r.EndedAt)
			}
			w.violations = append(w.violations, []any{caseID, r.Key, r.Rule, r.Article, r.NameVI, r.NameEN, r.Subject, r.SubjectID, id(r.AccusedID),
				r.LatestDue, now, "recompute", met, c.unit.id, lead})
		}
	}
}
