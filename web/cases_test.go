package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"kiemsat/domain"
)

// The case list's filters give the same cases as the use case with the same filter: a chief picks a
// prosecutor of the subtree; a prosecutor, who may not list users, gets no picker but "mine".
func TestPagesCaseListFilters(t *testing.T) {
	e := newPagesEnv(t)
	ctx := context.Background()
	chiefP, ksvP := e.principal("hnkv1.vientruong"), e.principal("hnkv1.ksv1")
	chief := e.login("hnkv1.vientruong")
	body := chief.mustGet("/cases")
	if !strings.Contains(body, `id="f-pros"`) || !strings.Contains(body, `<option value="`+ksvP.User.ID+`"`) {
		t.Fatalf("the chief's list offers no prosecutor picker with hnkv1.ksv1")
	}
	open := true
	want, err := e.svc.Cases.List(ctx, chiefP, domain.CaseFilter{ProsecutorID: &ksvP.User.ID, Open: &open, IncludeSubunits: true, Limit: 1})
	if err != nil || want.Total == 0 {
		t.Fatalf("hnkv1.ksv1 has no open case in the demo data (%v)", err)
	}
	got := chief.mustGet("/cases?" + url.Values{"prosecutor_id": {ksvP.User.ID}, "open": {"true"}}.Encode())
	if n := badgeTotal(t, got); n != want.Total {
		t.Errorf("prosecutor filter: the page says %d, the use case %d", n, want.Total)
	}
	if !strings.Contains(got, `<option value="`+ksvP.User.ID+`" selected>`) {
		t.Errorf("the picked prosecutor is not kept selected")
	}
	all, err := e.svc.Cases.List(ctx, chiefP, domain.CaseFilter{IncludeSubunits: true, Limit: 1})
	if err != nil || all.Total <= want.Total {
		t.Fatalf("the filter should narrow the list: %d of %d (%v)", want.Total, all.Total, err)
	}
	ksv := e.login("hnkv1.ksv1")
	mine := ksv.mustGet("/cases?mine=1&open=true")
	if strings.Contains(mine, `id="f-pros"`) {
		t.Errorf("a prosecutor is offered the prosecutor picker")
	}
	if n := badgeTotal(t, mine); n != want.Total {
		t.Errorf("mine: %d, want %d", n, want.Total)
	}
	// A bad filter value is named next to its filter and not applied.
	if r := ksv.get("/cases?stage=nope"); r.status != 400 || !strings.Contains(r.body, "field-error") {
		t.Errorf("stage=nope: %d", r.status)
	}
}
