package e2e_test

import (
	"fmt"
	"net/http"
	"testing"
)

type authorityView struct {
	ID        int64    `json:"id"`
	Step      string   `json:"step"`
	Power     string   `json:"power"`
	Rung      int      `json:"rung"`
	Class     *string  `json:"class"`
	Levels    []string `json:"levels"`
	Article   string   `json:"article"`
	Confirmed bool     `json:"confirmed"`
	UpdatedBy *string  `json:"updated_by"`
}

// The authorities table is data an administrator edits: a row saying the first extension of a
// less serious case's investigation is granted at the provincial level (as a reform might say)
// refuses the regional chief with the row's article and lets the provincial chief, above the case,
// grant it; withdrawing the row gives the power back to the unit in charge. Only a system
// administrator edits; everyone logged in reads; every edit is audited.
func TestAuthoritiesTableDecidesWhoGrants(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	admin := e.login("admin").AccessToken

	// The shipped rows are there, unconfirmed, among them the Supreme Procuracy's third ĐBNT extension.
	r := e.get(v1+"/authorities", tm.ksv)
	var list struct {
		Items []authorityView `json:"items"`
		Total int             `json:"total"`
	}
	r.decode(t, &list)
	found := false
	for _, a := range list.Items {
		if a.Step == "extend_investigation" && a.Power == "record" && a.Rung == 3 && a.Class != nil && *a.Class == "particularly_serious" {
			found = a.Article == "Điều 172(5) BLTTHS" && len(a.Levels) == 2 && !a.Confirmed && a.UpdatedBy == nil
		}
	}
	if r.Status != http.StatusOK || list.Total != len(list.Items) || !found {
		t.Fatalf("authorities: %d, %d rows, third ĐBNT extension row found %v", r.Status, list.Total, found)
	}

	row := map[string]any{"step": "extend_investigation", "power": "record", "rung": 1, "class": "less_serious", "levels": []string{"provincial"},
		"article": "Điều 172(5) BLTTHS (sửa đổi 2025)", "note": "thử nghiệm", "confirmed": true}
	if r := e.send(req{Method: "PUT", Path: v1 + "/authorities", Token: tm.chief, Body: row}); r.Status != http.StatusForbidden {
		t.Fatalf("a unit chief edited the table: %d %s", r.Status, r.Body)
	}
	r = e.send(req{Method: "PUT", Path: v1 + "/authorities", Token: admin, Body: row})
	var put authorityView
	r.decode(t, &put)
	if r.Status != http.StatusCreated || put.ID == 0 || put.UpdatedBy == nil || len(put.Levels) != 1 {
		t.Fatalf("put: %d %s", r.Status, r.Body)
	}
	if r := e.send(req{Method: "PUT", Path: v1 + "/authorities", Token: admin, Body: row}); r.Status != http.StatusOK {
		t.Fatalf("put again: %d %s", r.Status, r.Body)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'authority.put' AND outcome = 'success'`); n != 2 {
		t.Errorf("%d authority.put audit rows, want 2", n)
	}

	// A theft (less serious) under investigation at the regional unit.
	s := newStory(t, e, tm, nil)
	s.investigate(tm)
	d := s.refuseStep(tm.chief, s.vks("extend_investigation", "number", "40/QĐ-VKS"), "step", "unit_level")
	wantArticle(t, d, "Điều 172(5) BLTTHS (sửa đổi 2025)")
	hn := e.login("hn.vientruong").AccessToken
	s.decide(hn, s.vks("extend_investigation", "number", "41/QĐ-VKS-HN"))

	// Withdrawn, the row no longer applies: the regional chief grants the next case's extension.
	if r := e.send(req{Method: "DELETE", Path: fmt.Sprintf("%s/authorities/%d", v1, put.ID), Token: admin}); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := e.send(req{Method: "DELETE", Path: fmt.Sprintf("%s/authorities/%d", v1, put.ID), Token: admin}); r.Status != http.StatusNotFound {
		t.Fatalf("delete again: %d %s", r.Status, r.Body)
	}
	s2 := newStory(t, e, tm, nil)
	s2.investigate(tm)
	s2.decide(tm.chief, s2.vks("extend_investigation", "number", "42/QĐ-VKS"))

	// Bad rows name the field.
	for _, c := range []struct {
		body        map[string]any
		field, rule string
	}{
		{map[string]any{"step": "no_such_step", "power": "record"}, "step", "unknown_step"},
		{map[string]any{"step": "indict", "power": "approve"}, "power", "no_approval"},
		{map[string]any{"step": "extend_investigation", "power": "record", "levels": []string{"district"}}, "levels[0]", "enum"},
		{map[string]any{"step": "extend_investigation", "power": "record", "class": "grave"}, "class", "enum"},
	} {
		wantDetail(t, e.send(req{Method: "PUT", Path: v1 + "/authorities", Token: admin, Body: c.body}), http.StatusUnprocessableEntity, "invalid", c.field, c.rule)
	}
}
