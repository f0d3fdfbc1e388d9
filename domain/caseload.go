package domain

import "time"

// CaseloadFilter asks for the caseload (tình hình thụ lý) of a unit, alone or with every unit
// below it, over a period: what is open now, and what came in and was closed in the period.
type CaseloadFilter struct {
	UnitID          int64
	IncludeSubunits bool
	From, To        time.Time // the period, [From, To): midnight in Vietnam
	// Now is the moment the open figures are read at; DueBefore (Now + 7 days) bounds "due this week".
	Now, DueBefore time.Time
	// Expiries is how many of the nearest detention expiries to list.
	Expiries int
	// CaseByCase counts every figure from the cases themselves instead of the rollups, as narrow
	// scopes are: the check that both agree.
	CaseByCase bool
}

// CaseloadFigures are the numbers of one unit, or of a whole subtree. Every number has a filter of
// the case list that gives the cases behind it (docs/api.md lists them).
type CaseloadFigures struct {
	ByStage map[Stage]int64 // every case in scope by its current stage
	Open    int64           // cases not at a final stage
	// Suspended: open cases at a suspension stage (tạm đình chỉ).
	Suspended int64
	Received  int64 // registered in the period
	Closed    int64 // reached a final stage in the period, and still there
	// OverdueClocks are open time limits run out (quá hạn); OverdueCases the cases holding one.
	OverdueClocks, OverdueCases int64
	// DueSoonClocks are time limits in their warning days (sắp hết hạn); DueSoonCases the cases.
	DueSoonClocks, DueSoonCases int64
	// InDetention: custody and detention orders in force (tạm giữ, tạm giam), one per person held;
	// InDetentionCases: the cases holding them.
	InDetention, InDetentionCases int64
	// OpenViolations of time limits not remedied; the cases.
	OpenViolations, OpenViolationCases int64
}

// Add adds another unit's figures.
func (f *CaseloadFigures) Add(o CaseloadFigures) {
	if f.ByStage == nil {
		f.ByStage = map[Stage]int64{}
	}
	for s, n := range o.ByStage {
		f.ByStage[s] += n
	}
	f.Open += o.Open
	f.Suspended += o.Suspended
	f.Received += o.Received
	f.Closed += o.Closed
	f.OverdueClocks += o.OverdueClocks
	f.OverdueCases += o.OverdueCases
	f.DueSoonClocks += o.DueSoonClocks
	f.DueSoonCases += o.DueSoonCases
	f.InDetention += o.InDetention
	f.InDetentionCases += o.InDetentionCases
	f.OpenViolations += o.OpenViolations
	f.OpenViolationCases += o.OpenViolationCases
}

// UnitCaseload is one unit's own figures (its cases only, not those below it).
type UnitCaseload struct {
	UnitID   int64
	UnitCode string
	UnitName string
	Figures  CaseloadFigures
}

// ProsecutorLoad is what one prosecutor carries in the caseload's own unit: the open cases they are
// on the team of, those with a time limit run out, those with a time limit ending before DueBefore.
type ProsecutorLoad struct {
	UserID      string
	FullName    string
	UnitID      int64
	OpenCases   int64
	LeadCases   int64
	Overdue     int64
	DueThisWeek int64
}

// DetentionExpiry is a custody or detention in force and the date its order ends.
type DetentionExpiry struct {
	MeasureID   string
	Kind        MeasureKind
	CaseID      string
	CaseCode    string
	UnitID      int64
	AccusedID   string
	AccusedName string
	OrderedEnd  *time.Time
}

// Caseload is a chief's review of a unit's work (kiểm tra tình hình thụ lý): the totals, each unit's
// own figures, the prosecutors' loads and the nearest detention expiries.
type Caseload struct {
	Filter      CaseloadFilter
	Totals      CaseloadFigures
	Units       []UnitCaseload
	Prosecutors []ProsecutorLoad
	Expiries    []DetentionExpiry
}

// SuspendedStages are the stages of a suspended matter.
var SuspendedStages = []Stage{StageReportSuspended, StageInvestigationSusp, StageProsecutionSusp, StageTrialSuspended}

// FinalStages are the stages a matter ends at.
var FinalStages = []Stage{StageClosed, StageTerminated, StageNotInstituted, StageJoined}
