package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kiemsat/domain"
	"kiemsat/service"
)

// A chief sees the decisions awaiting approval in the scope, answers one on its case page through
// the same use case as the API, and the decision's status follows; bad input comes back next to
// the field; a prosecutor has no approvals page.
func TestPagesApprovals(t *testing.T) {
	e := newPagesEnv(t)
	ctx := context.Background()
	chief := e.principal("hnkv1.vientruong")
	// The investigating agency institutes an accused on a case under investigation: its decision
	// awaits the procuracy's approval (Điều 179(4) BLTTHS).
	stage := domain.StageInvestigation
	unit := chief.User.UnitID
	list, err := e.svc.Cases.List(ctx, chief, domain.CaseFilter{UnitID: &unit, Stage: &stage, Limit: 1})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("no case under investigation at hnkv1.vientruong's unit in the demo data (%v)", err)
	}
	today := e.clock.Now()
	if _, err := e.svc.Procedure.Record(ctx, chief, list.Items[0].ID, service.DecisionInput{Version: list.Items[0].Version, Step: "institute_accused",
		Issuer: domain.IssuerInvestigation, IssuerName: "Cơ quan CSĐT Công an TP Hà Nội", Number: "88/QĐ-CSĐT", IssuedOn: today,
		Person:  &service.PersonInput{FullName: "Đinh Văn Chờ", NationalID: "001094009988", OffenceDate: today.AddDate(0, 0, -3)},
		Charges: []service.ChargeSpec{{Article: "173", Clause: 1}}}); err != nil {
		t.Fatalf("institute an accused by the investigating agency: %v", err)
	}
	pending, total, err := e.svc.Procedure.PendingApprovals(ctx, chief, service.ApprovalFilter{IncludeSubunits: true, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 {
		t.Fatal("the demo data has no decision awaiting the chief's approval: the test needs one")
	}
	b := e.login("hnkv1.vientruong")
	body := b.mustGet("/approvals")
	if got := badgeTotal(t, body); got != total {
		t.Errorf("approvals page total %d, the service says %d", got, total)
	}
	dec := pending[0].Decision
	if !strings.Contains(body, "/cases/"+dec.CaseID+"#timeline") {
		t.Errorf("the approvals page does not link to case %s", dec.CaseID)
	}
	page := b.mustGet("/cases/" + dec.CaseID)
	action := "/cases/" + dec.CaseID + "/approvals/" + dec.ID
	if !strings.Contains(page, `action="`+action+`"`) {
		t.Fatalf("no approval form for decision %s on its case page", dec.ID)
	}
	cs, err := e.svc.Cases.Get(ctx, chief, dec.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	version := func() string {
		return strings.TrimSpace(strings.Split(strings.Split(page, `name="version" value="`)[1], `"`)[0])
	}
	if version() == "" || version() != itoa(cs.Version) {
		t.Fatalf("the form carries version %q, the case is at %d", version(), cs.Version)
	}
	// A date in the future: refused next to the field, nothing recorded.
	r := b.post(action, url.Values{"version": {version()}, "outcome": {"approve"}, "number": {"77/QĐ-VKS"}, "issued_on": {"2999-01-01"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "field-error") {
		t.Fatalf("approval dated in the future: %d\n%s", r.status, excerpt(r.body))
	}
	if d, err := e.svc.Procedure.Decision(ctx, chief, dec.ID); err != nil || d.Status != domain.DecisionPending {
		t.Fatalf("after a refused answer the decision is %q (%v)", d.Status, err)
	}
	r = b.post(action, url.Values{"version": {version()}, "outcome": {"approve"}, "number": {"77/QĐ-VKS"}, "issued_on": {e.clock.Now().In(domain.ICT).Format("2006-01-02")}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/cases/"+dec.CaseID) {
		t.Fatalf("approve: %d → %q\n%s", r.status, r.header.Get("Location"), excerpt(r.body))
	}
	if d, err := e.svc.Procedure.Decision(ctx, chief, dec.ID); err != nil || d.Status != domain.DecisionApproved {
		t.Fatalf("after approval the decision is %q (%v)", d.Status, err)
	}
	if _, after, _ := e.svc.Procedure.PendingApprovals(ctx, chief, service.ApprovalFilter{IncludeSubunits: true, Limit: 50}); after != total-1 {
		t.Errorf("pending after one approval: %d, want %d", after, total-1)
	}
	// A prosecutor approves nothing: no page, and the form is not on the case page.
	ksv := e.login("hnkv1.ksv1")
	if r := ksv.get("/approvals"); r.status != http.StatusForbidden {
		t.Errorf("a prosecutor's /approvals: %d", r.status)
	}
	if strings.Contains(ksv.get("/cases/"+dec.CaseID).body, "/approvals/") {
		t.Errorf("a prosecutor is offered the approval form")
	}
}

func itoa(n int) string { return formatInt(int64(n)) }
