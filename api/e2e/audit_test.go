package e2e_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"kiemsat/domain"
	"kiemsat/service/seed"
)

// TestAuditCaseRead: reading a case writes a case.read row carrying the request id the client
// was given; the chain verifies.
func TestAuditCaseRead(t *testing.T) {
	e := newEnv(t)
	tok := e.login("hnkv1.thuky").AccessToken
	id := e.caseOf(seed.RegionalCode("HNI", 1))

	const rid = "e2e-read-0001"
	r := e.send(req{Method: "GET", Path: v1 + "/cases/" + id, Token: tok, Header: map[string]string{"X-Request-ID": rid}})
	if r.Status != http.StatusOK {
		t.Fatalf("get case: %d %s", r.Status, r.Body)
	}
	if got := r.Header.Get("X-Request-ID"); got != rid {
		t.Fatalf("X-Request-ID %q, want the client's %q", got, rid)
	}
	if n := e.count(`SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id
		WHERE a.action = 'case.read' AND a.target_id = $1 AND a.request_id = $2 AND a.outcome = 'success' AND u.username = 'hnkv1.thuky'`, id, rid); n != 1 {
		t.Fatalf("%d case.read rows with the client's request id, want 1", n)
	}

	// Without a usable client id the server makes one, and the audit row carries it.
	r = e.send(req{Method: "GET", Path: v1 + "/cases/" + id, Token: tok, Header: map[string]string{"X-Request-ID": "bad id; DROP TABLE"}})
	gen := r.Header.Get("X-Request-ID")
	if r.Status != http.StatusOK || gen == "" || strings.Contains(gen, " ") {
		t.Fatalf("status %d, generated request id %q", r.Status, gen)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.read' AND target_id = $1 AND request_id = $2`, id, gen); n != 1 {
		t.Fatalf("%d case.read rows with the generated request id %q, want 1", n, gen)
	}

	// A read out of scope is audited as denied, and answered as not found.
	other := e.login("hcmkv1.thuky").AccessToken
	r = e.send(req{Method: "GET", Path: v1 + "/cases/" + id, Token: other, Header: map[string]string{"X-Request-ID": "e2e-read-denied"}})
	wantError(t, r, http.StatusNotFound, "not_found")
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'case.read' AND target_id = $1 AND request_id = 'e2e-read-denied' AND outcome = 'denied'`, id); n != 1 {
		t.Fatalf("%d denied case.read rows, want 1", n)
	}

	rep, err := e.store.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.FirstBad != 0 || rep.Rows < 3 {
		t.Fatalf("chain report %+v", rep)
	}
}

// auditRowIDs returns the ids of the chain in order.
func (e *env) auditRowIDs() []int64 {
	e.t.Helper()
	rows, err := e.db.Query(`SELECT id FROM audit_log ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return ids
}

func (e *env) verify() domain.AuditVerifyReport {
	e.t.Helper()
	rep, err := e.store.VerifyAudit(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

// TestAuditTamperDetected: the log refuses edits; an edit or deletion made by switching the guard
// off is found by VerifyAudit, which names the first bad row.
func TestAuditTamperDetected(t *testing.T) {
	t.Run("append-only guard", func(t *testing.T) {
		e := newEnv(t)
		ids := e.auditRowIDs()
		if _, err := e.db.Exec(`UPDATE audit_log SET detail = '{}' WHERE id = $1`, ids[0]); err == nil {
			t.Fatal("UPDATE of an audit row was allowed")
		}
		if _, err := e.db.Exec(`DELETE FROM audit_log WHERE id = $1`, ids[0]); err == nil {
			t.Fatal("DELETE of an audit row was allowed")
		}
		if _, err := e.db.Exec(`TRUNCATE audit_log`); err == nil {
			t.Fatal("TRUNCATE of the audit log was allowed")
		}
		if rep := e.verify(); rep.FirstBad != 0 {
			t.Fatalf("intact chain reported bad: %+v", rep)
		}
	})
	t.Run("altered row", func(t *testing.T) {
		e := newEnv(t)
		tok := e.login("hnkv1.thuky").AccessToken
		id := e.caseOf(seed.RegionalCode("HNI", 1))
		e.send(req{Method: "GET", Path: v1 + "/cases/" + id, Token: tok, Header: map[string]string{"X-Request-ID": "e2e-tamper-target"}})
		e.login("hnkv1.ksv1") // rows after the target
		if rep := e.verify(); rep.FirstBad != 0 {
			t.Fatalf("chain bad before tampering: %+v", rep)
		}
		var target int64
		if err := e.db.QueryRow(`SELECT id FROM audit_log WHERE request_id = 'e2e-tamper-target' AND action = 'case.read'`).Scan(&target); err != nil {
			t.Fatal(err)
		}
		e.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`)
		e.exec(`UPDATE audit_log SET username = 'someone.else' WHERE id = $1`, target)
		e.exec(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`)
		rep := e.verify()
		if rep.FirstBad != target {
			t.Fatalf("verify reports %+v, want first bad row %d", rep, target)
		}
		if !strings.Contains(rep.Problem, "altered") {
			t.Fatalf("problem %q", rep.Problem)
		}
	})
	t.Run("deleted middle row", func(t *testing.T) {
		e := newEnv(t)
		e.login("hnkv1.thuky")
		ids := e.auditRowIDs()
		if len(ids) < 3 {
			t.Fatalf("only %d audit rows", len(ids))
		}
		mid := len(ids) / 2
		e.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`)
		e.exec(`DELETE FROM audit_log WHERE id = $1`, ids[mid])
		e.exec(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`)
		rep := e.verify()
		if rep.FirstBad != ids[mid+1] {
			t.Fatalf("verify reports %+v, want first bad row %d (after deleted %d)", rep, ids[mid+1], ids[mid])
		}
		if !strings.Contains(rep.Problem, "removed") {
			t.Fatalf("problem %q", rep.Problem)
		}
	})
}

type auditItem struct {
	ID         int64  `json:"id"`
	Username   string `json:"username"`
	UnitID     int64  `json:"unit_id"`
	Action     string `json:"action"`
	TargetID   string `json:"target_id"`
	TargetUnit int64  `json:"target_unit"`
	RequestID  string `json:"request_id"`
}

// TestAuditAccess: only auditors and administrators read the log, and an auditor of Hà Nội sees
// Hà Nội's rows and not Hồ Chí Minh City's.
func TestAuditAccess(t *testing.T) {
	e := newEnv(t)
	hnCase := e.caseOf(seed.RegionalCode("HNI", 1))
	hcmCase := e.caseOf(seed.RegionalCode("HCM", 1))
	hnTok := e.login("hnkv1.thuky").AccessToken
	hcmTok := e.login("hcmkv1.thuky").AccessToken
	if r := e.send(req{Method: "GET", Path: v1 + "/cases/" + hnCase, Token: hnTok, Header: map[string]string{"X-Request-ID": "e2e-hn-read"}}); r.Status != http.StatusOK {
		t.Fatalf("hn read: %d", r.Status)
	}
	if r := e.send(req{Method: "GET", Path: v1 + "/cases/" + hcmCase, Token: hcmTok, Header: map[string]string{"X-Request-ID": "e2e-hcm-read"}}); r.Status != http.StatusOK {
		t.Fatalf("hcm read: %d", r.Status)
	}

	for _, u := range []string{"hnkv1.thuky", "hnkv1.ksv1", "hnkv1.vientruong", "hn.vientruong", "hn.quantri", "svc.congan.hn"} {
		wantError(t, e.get(v1+"/audit", e.login(u).AccessToken), http.StatusForbidden, "forbidden")
	}

	hni := e.units[seed.ProvinceCode("HNI")]
	unitPath := map[int64]domain.UnitPath{}
	for _, u := range e.units {
		unitPath[u.ID] = u.Path
	}
	inHNI := func(id int64) bool { return id != 0 && hni.Path.Contains(unitPath[id]) }

	auditor := e.login("hn.thanhtra").AccessToken
	var items []auditItem
	for path := v1 + "/audit?limit=200"; ; {
		r := e.get(path, auditor)
		if r.Status != http.StatusOK {
			t.Fatalf("auditor list: %d %s", r.Status, r.Body)
		}
		var page struct {
			Items      []auditItem `json:"items"`
			NextBefore int64       `json:"next_before"`
		}
		r.decode(t, &page)
		items = append(items, page.Items...)
		if page.NextBefore == 0 {
			break
		}
		path = v1 + "/audit?limit=200&before=" + strconv.FormatInt(page.NextBefore, 10)
	}
	sawHN := false
	for _, it := range items {
		if it.RequestID == "e2e-hcm-read" {
			t.Fatalf("HNI auditor sees an HCM row: %+v", it)
		}
		if !inHNI(it.UnitID) && !inHNI(it.TargetUnit) {
			t.Fatalf("HNI auditor sees a row outside HNI: %+v", it)
		}
		if it.RequestID == "e2e-hn-read" && it.Action == "case.read" && it.TargetID == hnCase {
			sawHN = true
		}
	}
	if !sawHN {
		t.Fatalf("HNI auditor does not see the HNI case.read row among %d rows", len(items))
	}
	// The HCM row exists: it is the scope that hides it.
	if n := e.count(`SELECT count(*) FROM audit_log WHERE request_id = 'e2e-hcm-read' AND action = 'case.read'`); n != 1 {
		t.Fatalf("HCM case.read rows: %d", n)
	}
	// Filtering by the HCM case's id does not reach it either.
	r := e.get(v1+"/audit?target_id="+hcmCase, auditor)
	var page struct {
		Items []auditItem `json:"items"`
		Total int64       `json:"total"`
	}
	r.decode(t, &page)
	if r.Status != http.StatusOK || page.Total != 0 || len(page.Items) != 0 {
		t.Fatalf("HNI auditor filtering on an HCM case: %d, %d rows", r.Status, page.Total)
	}
	// Reading the log is itself audited.
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'audit.read' AND username = 'hn.thanhtra'`); n < 1 {
		t.Fatal("reading the audit log was not audited")
	}
}
