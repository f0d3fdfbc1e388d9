package workflow

import "kiemsat/domain"

// Offer is a step the actor may record on the case now, with the subjects it may apply to.
type Offer struct {
	// Transition is the row of the table with the levels and article from the authorities table
	// applied (for a measure step acting on existing measures: those of the first measure
	// offered; each measure is judged with its own).
	Transition Transition
	// AccusedIDs, for accused steps: the accused whose status the step may start from, in the
	// case's order. Empty for case and measure steps.
	AccusedIDs []string
	// NewPerson: an accused step that starts from StateNew (institute_accused) may be recorded
	// for a person not yet on the case.
	NewPerson bool
	// Measures, for measure steps: for a step that acts on an existing measure (extend, end), the
	// measures in a state it may start from, with their accused; for a step that orders a new
	// measure, one entry per accused it may be ordered on, with MeasureID "".
	Measures []OfferMeasure
}

// OfferMeasure is a subject of a measure step: an accused and, for a step on an existing
// measure, the measure.
type OfferMeasure struct{ AccusedID, MeasureID string }

// Offers are the steps actor may record on the case now, in the order of Transitions, each with
// the subjects it may apply to: the "record a decision" form offers these and no other. A step is
// offered for a subject exactly when Apply would admit it (the same admit: the recorder's role,
// team and level, with the authorities table applied, and the case's stage and the subject's
// state). What depends on the request's contents is judged when it is submitted: the issuer, the
// dates, and every guard, including those that could be read from the history alone.
func Offers(cs *CaseState, actor Actor) []Offer {
	out := []Offer{}
	admitted := func(t Transition, req Request) (Transition, bool) {
		t, err := admit(cs, t, req, actor)
		return t, err == nil
	}
	for _, t := range Transitions {
		switch t.Subject {
		case domain.SubjectCase:
			if tt, ok := admitted(t, Request{Step: t.Step}); ok {
				out = append(out, Offer{Transition: tt})
			}
		case domain.SubjectAccused:
			o := Offer{}
			if t.FromState(StateNew) {
				var ok bool
				if o.Transition, ok = admitted(t, Request{Step: t.Step}); ok {
					o.NewPerson = true
				}
			}
			for _, a := range cs.Accused {
				if tt, ok := admitted(t, Request{Step: t.Step, AccusedIDs: []string{a.ID}}); ok {
					o.Transition = tt
					o.AccusedIDs = append(o.AccusedIDs, a.ID)
				}
			}
			if o.NewPerson || len(o.AccusedIDs) > 0 {
				out = append(out, o)
			}
		case domain.SubjectMeasure:
			// The dummy order stands for the one the form will ask for: only its presence is
			// judged here.
			o := Offer{}
			for _, a := range cs.Accused {
				req := Request{Step: t.Step, AccusedIDs: []string{a.ID}, Measure: &MeasureInput{}}
				if t.FromState(StateNew) {
					if tt, ok := admitted(t, req); ok {
						o.Transition = tt
						o.Measures = append(o.Measures, OfferMeasure{AccusedID: a.ID})
					}
					continue
				}
				for _, m := range a.Measures {
					req.MeasureID = m.ID
					if tt, ok := admitted(t, req); ok {
						if len(o.Measures) == 0 {
							o.Transition = tt
						}
						o.Measures = append(o.Measures, OfferMeasure{AccusedID: a.ID, MeasureID: m.ID})
					}
				}
			}
			if len(o.Measures) > 0 {
				out = append(out, o)
			}
		}
	}
	return out
}
