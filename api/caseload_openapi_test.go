package api

import (
	"time"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// caseloadSamples are caseload answers as the handler builds them: a subtree with a unit of its
// own and one below, a prosecutor and an expiry with and without an ordered end.
func caseloadSamples(now time.Time) []schemaSample {
	end := time.Date(2026, 12, 30, 0, 0, 0, 0, domain.ICT)
	own := domain.CaseloadFigures{ByStage: map[domain.Stage]int64{domain.StageInvestigation: 3, domain.StageClosed: 1, domain.StageReportResolution: 0},
		Open: 3, Received: 4, Closed: 1, OverdueClocks: 2, OverdueCases: 1, InDetention: 1, InDetentionCases: 1}
	below := domain.CaseloadFigures{ByStage: map[domain.Stage]int64{domain.StageInvestigationSusp: 1}, Open: 1, Suspended: 1, DueSoonClocks: 1, DueSoonCases: 1,
		OpenViolations: 1, OpenViolationCases: 1}
	var total domain.CaseloadFigures
	total.Add(own)
	total.Add(below)
	cl := domain.Caseload{Filter: domain.CaseloadFilter{UnitID: 4, IncludeSubunits: true, From: time.Date(2026, 1, 1, 0, 0, 0, 0, domain.ICT),
		To: time.Date(2027, 1, 1, 0, 0, 0, 0, domain.ICT), Now: now, DueBefore: now.AddDate(0, 0, 7)}, Totals: total,
		Units: []domain.UnitCaseload{{UnitID: 4, UnitCode: "VKS-HNI", UnitName: "VKSND thành phố Hà Nội", Figures: own},
			{UnitID: 27, UnitCode: "VKS-HNI-KV01", UnitName: "VKSND khu vực 1 - Hà Nội", Figures: below}},
		Prosecutors: []domain.ProsecutorLoad{{UserID: "0195a0f0-1111-7222-8333-444455556667", FullName: "Bùi Văn Nam", UnitID: 27, OpenCases: 4, LeadCases: 3,
			Overdue: 1, DueThisWeek: 2}},
		Expiries: []domain.DetentionExpiry{{MeasureID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f6a00", Kind: domain.MeasureKind("detention"),
			CaseID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", CaseCode: "VKS-HNI-KV01-2026-VA-000012", UnitID: 27,
			AccusedID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f6a01", AccusedName: "Trần Văn Bình", OrderedEnd: &end},
			{MeasureID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f6a02", Kind: domain.MeasureKind("custody"), CaseID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
				CaseCode: "VKS-HNI-KV01-2026-VA-000012", UnitID: 27, AccusedID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f6a03", AccusedName: "Lê Văn Ba"}}}
	empty := cl
	empty.Units, empty.Prosecutors, empty.Expiries, empty.Totals = nil, nil, nil, domain.CaseloadFigures{}
	return []schemaSample{{"Caseload", toCaseloadJSON(cl)}, {"Caseload", toCaseloadJSON(empty)}}
}

// statisticsSamples are statistics reports as the handler builds them: without a breakdown, and by
// unit, class and chapter with an unknown class; and a drill-down page.
func statisticsSamples(now time.Time) []schemaSample {
	cells := []domain.StatCell{{Indicator: "reports_received", UnitID: 27, Class: "less_serious", Chapter: "XVI", Value: 3},
		{Indicator: "reports_received", UnitID: 28, Class: "", Chapter: "", Value: 1},
		{Indicator: "accused_instituted", UnitID: 27, Class: "serious", Chapter: "XX", Value: 2}}
	f := domain.StatFilter{UnitID: 4, IncludeSubunits: true, From: time.Date(2026, 1, 1, 0, 0, 0, 0, domain.ICT), To: time.Date(2027, 1, 1, 0, 0, 0, 0, domain.ICT),
		Indicators: []string{"reports_received", "accused_instituted"}}
	var out []schemaSample
	for _, by := range [][]string{nil, {"unit", "class", "chapter"}} {
		rep := service.StatReport{Filter: f, By: by, Rows: service.AggregateStats(cells, by), Totals: map[string]int64{"reports_received": 4, "accused_instituted": 2},
			At: now, Units: map[int64]domain.Unit{27: {ID: 27, Code: "VKS-HNI-KV01"}, 28: {ID: 28, Code: "VKS-HNI-KV02"}}}
		rep.Definitions = append(rep.Definitions, workflow.Indicators[:2]...)
		out = append(out, schemaSample{"StatReport", toStatReportJSON(rep)})
	}
	return append(out, schemaSample{"StatCase", statCaseJSON{ID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", Code: "VKS-HNI-KV01-2026-TB-000012",
		Number: "12/2026/TB", Unit: unitRefJSON{ID: 27, Code: "VKS-HNI-KV01"}, Stage: "report_resolution"}})
}
