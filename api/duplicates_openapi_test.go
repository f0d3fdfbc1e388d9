package api

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"kiemsat/domain"
)

// TestOpenAPIDuplicateHints: the duplicate check's schemas list exactly the fields its DTOs
// write, and real answers (both reasons, and none) match them.
func TestOpenAPIDuplicateHints(t *testing.T) {
	doc := loadOpenAPI(t, OpenAPIYAML)
	for name, v := range map[string]any{"DuplicateHint": duplicateHintJSON{}, "DuplicateHintList": duplicateListJSON{}} {
		sr := doc.Components.Schemas[name]
		if sr == nil || sr.Value == nil {
			t.Fatalf("schema %s missing", name)
		}
		var got []string
		for p := range sr.Value.Properties {
			got = append(got, p)
		}
		sort.Strings(got)
		if want := jsonFields(reflect.TypeOf(v)); !reflect.DeepEqual(got, want) {
			t.Errorf("schema %s has properties %v, the DTO writes %v", name, got, want)
		}
	}
	at := time.Date(2026, 2, 20, 1, 30, 0, 0, time.UTC)
	byID := domain.DuplicateHint{CaseID: "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", Number: "12/2026/TB", Code: "VKS-HNI-KV01-2026-TB-000012",
		Kind: domain.KindReport, UnitID: 27, UnitCode: "VKS-HNI-KV01", Stage: domain.StageReportResolution, ReceivedAt: at,
		Summary: "Bà Nguyễn Thị Hòa tố giác bị lừa đảo chiếm đoạt 350 triệu đồng.", Reason: domain.DuplicateNationalID,
		NationalID: "001185012345", PartyName: "Nguyễn Thị Hòa"}
	similar := byID
	similar.CaseID, similar.Reason, similar.NationalID, similar.PartyName, similar.Similarity = "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a6c",
		domain.DuplicateSimilarSummary, "", "", 0.81234
	list := toDuplicateListJSON([]domain.DuplicateHint{byID, similar})
	if list.Items[0].Similarity != nil || list.Items[1].Similarity == nil || *list.Items[1].Similarity != 0.812 || list.Items[1].NationalID != "" {
		t.Errorf("hints written as %+v", list.Items)
	}
	validateSample(t, doc, "DuplicateHint", list.Items[0])
	validateSample(t, doc, "DuplicateHint", list.Items[1])
	validateSample(t, doc, "DuplicateHintList", list)
	validateSample(t, doc, "DuplicateHintList", toDuplicateListJSON(nil))
	if b := toDuplicateListJSON(nil); b.Items == nil {
		t.Error("no hints must be written as [], not null")
	}
}
