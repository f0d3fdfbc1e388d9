package service

import (
	"strconv"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// CaseStateOf builds the state the transition table and the deadline engine judge a case by, from
// the case row (with its team), its accused with their charges and measures, and its decisions in
// recording order with their derived statuses. It is the one definition of that state, shared by
// the use cases and by tools that write cases without them (the data generator), so that clocks
// computed in either place agree.
func CaseStateOf(cs *domain.Case, accused []domain.Accused, decisions []domain.Decision, catalog *workflow.PenalCatalog) *workflow.CaseState {
	st := &workflow.CaseState{ID: cs.ID, Stage: cs.Stage, Kind: cs.Kind, UnitID: cs.UnitID, ReceivedAt: cs.ReceivedAt,
		SummaryProcedure: cs.SummaryProcedure, Accused: accused, Decisions: decisions}
	st.HasLead = cs.LeadProsecutorID() != ""
	st.Class = GoverningClass(cs, accused, catalog)
	st.RegisteredAs = cs.Kind
	if cs.ReportNumber != "" {
		st.RegisteredAs = domain.KindReport
	}
	return st
}

// GoverningClass is the severity class that selects a case's time limits: the heaviest standing
// charge of the accused still in the case (Điều 9 BLHS; TTLT 04/2018 Art. 14), or, while nobody is
// charged, the class of the offence named at registration as the catalog had it on the day the
// record was received. It is "" when neither is known.
func GoverningClass(cs *domain.Case, accused []domain.Accused, catalog *workflow.PenalCatalog) domain.SeverityClass {
	var classes []domain.SeverityClass
	for i := range accused {
		if accused[i].InCase() {
			classes = append(classes, accused[i].Class())
		}
	}
	if c := domain.HeaviestClass(classes...); c.Valid() {
		return c
	}
	if o := cs.Offence; o != nil && o.Clause > 0 && catalog != nil {
		if pc, err := catalog.Lookup(strconv.Itoa(o.Article), o.Clause, cs.ReceivedAt); err == nil {
			return pc.Class
		}
	}
	return ""
}
