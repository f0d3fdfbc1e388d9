package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// findingSamples are the findings the checker produces on the sample theft case a year on (a
// detention extension run out with the person still held, decisions of another unit after the
// transfer), stored, listed and drafted from, in every recommendation status, as the handlers
// write them.
func findingSamples(lp lifecycleSamples, now time.Time) []schemaSample {
	cs := &workflow.CaseState{ID: lp.theft.ID, Kind: domain.KindCase, RegisteredAs: domain.KindCase, ReceivedAt: lp.theft.ReceivedAt,
		UnitID: lp.theft.UnitID, Decisions: lp.decisions, Accused: lp.accused}
	at := now.AddDate(1, 0, 0)
	recs := service.FindingRecords(lp.theft.ID, workflow.Defects(cs, workflow.NewCalendar(workflow.DefaultCalendarDays(), true), at), at)
	if len(recs) == 0 {
		panic("the sample case has no findings: the samples would prove nothing")
	}
	var out []schemaSample
	var items []findingJSON
	for i, f := range recs {
		f.ID, f.CaseNumber, f.CaseCode, f.UnitID, f.UnitCode = int64(i+1), lp.theft.Number, lp.theft.Code, 27, "VKS-HNI-KV01"
		items = append(items, toFindingJSON(f))
		out = append(out, schemaSample{"Finding", toFindingJSON(f)})
		resolved := at.Add(time.Hour)
		f.ResolvedAt = &resolved
		out = append(out, schemaSample{"Finding", toFindingJSON(f)})

		kind := domain.RecommendationKind(f.Remedy)
		if kind == "" {
			kind = domain.KindRecommendation
		}
		subject, body := service.DraftText(kind, lp.theft, f, "Cơ quan Cảnh sát điều tra Công an TP Hà Nội", nil)
		id := f.ID
		r := domain.Recommendation{ID: "0195d1e2-0001-7000-8000-0000000000f1", CaseID: f.CaseID, FindingID: &id, Kind: kind,
			Addressee: "Cơ quan Cảnh sát điều tra Công an TP Hà Nội", Subject: subject, Body: body, Status: domain.RecDraft,
			CreatedBy: "0195a0f0-1111-7222-8333-444455556667", CreatedAt: at, UpdatedAt: at, Version: 1, CaseNumber: lp.theft.Number,
			CaseCode: lp.theft.Code, UnitID: 27, UnitCode: "VKS-HNI-KV01", FindingCode: f.Code}
		var recs []recommendationJSON
		for _, st := range domain.RecommendationStatuses {
			r.Status = st
			if st != domain.RecDraft && st != domain.RecWithdrawn {
				sent, due := domain.DateOf(at), domain.DateOf(at).AddDate(0, 0, 15)
				r.Number, r.SentOn, r.DueOn = "15/YC-VKS", &sent, &due
			}
			if st == domain.RecAnswered || st == domain.RecResolved {
				r.AnswerNote, r.AnsweredAt = "Cơ quan điều tra đã khắc phục.", &at
			}
			if st == domain.RecResolved || st == domain.RecWithdrawn {
				r.ClosedAt = &at
			}
			recs = append(recs, toRecommendationJSON(r))
			out = append(out, schemaSample{"Recommendation", toRecommendationJSON(r)})
		}
		out = append(out, schemaSample{"RecommendationList", gin.H{"items": recs, "total": int64(len(recs))}})
	}
	free := domain.Recommendation{ID: "0195d1e2-0002-7000-8000-0000000000f2", CaseID: lp.theft.ID, Kind: domain.KindRequest, Addressee: "Cơ quan điều tra",
		Subject: "Yêu cầu điều tra", Body: "Nội dung", Status: domain.RecDraft, CreatedBy: "0195a0f0-1111-7222-8333-444455556667", CreatedAt: at,
		UpdatedAt: at, Version: 1, CaseNumber: lp.theft.Number, CaseCode: lp.theft.Code, UnitID: 27, UnitCode: "VKS-HNI-KV01"}
	out = append(out,
		schemaSample{"Recommendation", toRecommendationJSON(free)},
		schemaSample{"FindingList", gin.H{"items": items, "total": int64(len(items))}},
		schemaSample{"CaseFindings", caseFindingsJSON{CaseID: lp.theft.ID, Items: items, Total: len(items)}},
		schemaSample{"CaseFindings", caseFindingsJSON{CaseID: lp.theft.ID, Items: toFindingsJSON(nil), Total: 0}})
	return out
}
