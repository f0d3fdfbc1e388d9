package e2e_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kiemsat/domain"
	"kiemsat/service/seed"
	"kiemsat/workflow"
)

// Automatic statistics (thống kê tự động): computed from what was recorded, moved by exactly what
// people do, summed across units, each figure drilling down to its cases, exported with Vietnamese
// headers.

type statReportView struct {
	Indicators []struct {
		ID     string `json:"id"`
		Counts string `json:"counts"`
	} `json:"indicators"`
	Rows []struct {
		Indicator string `json:"indicator"`
		Unit      *struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"unit"`
		Class   *string `json:"class"`
		Chapter *string `json:"chapter"`
		Value   int64   `json:"value"`
		Cases   string  `json:"cases"`
	} `json:"rows"`
	Totals map[string]int64 `json:"totals"`
}

func (e *env) statistics(t *testing.T, token, query string) statReportView {
	t.Helper()
	r := e.get(v1+"/statistics?"+query, token)
	if r.Status != http.StatusOK {
		t.Fatalf("statistics %s: %d %s", query, r.Status, r.Body)
	}
	var rep statReportView
	r.decode(t, &rep)
	return rep
}

func TestStatisticsCountedByHand(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	kv1 := strconv.FormatInt(e.units[seed.RegionalCode("HNI", 1)].ID, 10)
	year := strconv.Itoa(e.clock.Now().In(ict).Year())
	query := "unit_id=" + kv1 + "&include_subunits=false&period=" + year
	before := e.statistics(t, tm.chief, query).Totals

	newStory(t, e, tm, nil) // a report, still being resolved
	b := newStory(t, e, tm, nil)
	b.decide(tm.ksv, b.cqdt("decline_institution", "number", "16/QĐ-CSĐT")) // resolved: not instituted
	c := newStory(t, e, tm, nil)
	c.investigate(tm) // resolved: instituted, and taken in charge by the procuracy
	acc := c.addAccused(tm, "Lê Văn Ba", "001095099999")
	c.detain(tm, acc, "42/LTG-VKS", 30)

	after := e.statistics(t, tm.chief, query).Totals
	want := map[string]int64{"reports_received": 3, "reports_resolved": 2, "cases_instituted": 1, "accused_instituted": 1, "accused_in_detention": 1}
	for id, total := range after {
		if got := total - before[id]; got != want[id] {
			t.Errorf("%s moved by %d, want %d", id, got, want[id])
		}
	}
	if len(after) != 14 {
		t.Errorf("%d indicators in the report, want every one of the 14", len(after))
	}

	// The same figures for the province, by unit: the rows add up to the totals, and each row of a
	// case indicator drills down to exactly its number of cases.
	hn := e.login("hn.vientruong").AccessToken
	hni := strconv.FormatInt(e.units[seed.ProvinceCode("HNI")].ID, 10)
	rep := e.statistics(t, hn, "unit_id="+hni+"&period="+year+"&by=unit,class")
	counts := map[string]string{}
	for _, in := range rep.Indicators {
		counts[in.ID] = in.Counts
	}
	sums := map[string]int64{}
	for _, row := range rep.Rows {
		sums[row.Indicator] += row.Value
		if row.Unit == nil || row.Class == nil || row.Chapter != nil {
			t.Fatalf("a row broken down by unit and class: %+v", row)
		}
		if counts[row.Indicator] == "case" {
			if got := e.listTotal(t, hn, row.Cases); got != row.Value {
				t.Errorf("%s at %s/%s: %d, its cases %d", row.Indicator, row.Unit.Code, *row.Class, row.Value, got)
			}
		}
	}
	for id, total := range rep.Totals {
		if sums[id] != total {
			t.Errorf("%s: rows add up to %d, total %d", id, sums[id], total)
		}
	}
	if rep.Totals["reports_received"] < 3 || rep.Totals["accused_in_detention"] < 1 {
		t.Errorf("the province misses its unit's figures: %v", rep.Totals)
	}
	// Only the story's case is at "less serious" (theft, clause 1) among the cases instituted in KV01.
	var instituted int64
	for _, row := range rep.Rows {
		if row.Indicator == "cases_instituted" && row.Unit.Code == seed.RegionalCode("HNI", 1) && *row.Class == "less_serious" {
			instituted = row.Value
		}
	}
	if instituted < 1 {
		t.Errorf("the instituted theft is not counted as less serious in KV01")
	}
	// By Penal Code chapter: theft (Điều 173) is chapter XVI.
	rep = e.statistics(t, tm.chief, query+"&indicator=accused_instituted&by=chapter")
	var xvi int64
	for _, row := range rep.Rows {
		if row.Chapter != nil && *row.Chapter == "XVI" {
			xvi = row.Value
		}
	}
	if xvi < 1 {
		t.Errorf("the accused charged with theft is not under chapter XVI: %+v", rep.Rows)
	}

	// Bad input: an unknown indicator or breakdown, an inverted period, a unit out of scope.
	wantDetail(t, e.get(v1+"/statistics?indicator=happiness", hn), http.StatusUnprocessableEntity, "invalid", "indicator", "enum")
	wantDetail(t, e.get(v1+"/statistics?by=colour", hn), http.StatusUnprocessableEntity, "invalid", "by", "enum")
	wantDetail(t, e.get(v1+"/statistics?from=2026-12-01&to=2026-01-01", hn), http.StatusUnprocessableEntity, "invalid", "to", "after_from")
	for _, id := range []int64{e.units[seed.ProvinceCode("HCM")].ID, 987654} {
		wantError(t, e.get(v1+"/statistics?unit_id="+strconv.FormatInt(id, 10), hn), http.StatusNotFound, "not_found")
	}
	wantDetail(t, e.get(v1+"/statistics/cases?period="+year, hn), http.StatusUnprocessableEntity, "invalid", "indicator", "required")
}

func TestStatisticsExport(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	newStory(t, e, tm, nil)
	year := strconv.Itoa(e.clock.Now().In(ict).Year())
	q := "period=" + year + "&indicator=reports_received,reports_resolved&by=unit"
	rep := e.statistics(t, tm.chief, q)

	r := e.get(v1+"/statistics/export?format=csv&"+q, tm.chief)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(r.Body, []byte("\ufeff")) {
		t.Fatalf("csv: %d %v", r.Status, r.Header)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rep.Rows)+1 || rows[0][1] != "Chỉ tiêu" || rows[0][5] != "Số lượng" {
		t.Fatalf("csv rows %v, report rows %d", rows, len(rep.Rows))
	}
	for i, row := range rep.Rows {
		if rows[i+1][0] != row.Indicator || rows[i+1][5] != strconv.FormatInt(row.Value, 10) || rows[i+1][2] != row.Unit.Code {
			t.Errorf("csv row %d %v, report %+v", i+1, rows[i+1], row)
		}
	}

	r = e.get(v1+"/statistics/export?format=xlsx&"+q, tm.chief)
	if r.Status != http.StatusOK {
		t.Fatalf("xlsx: %d %s", r.Status, r.Body)
	}
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := x.GetRows("Thống kê")
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet) != len(rows) || sheet[0][0] != "Mã chỉ tiêu" || sheet[1][5] != rows[1][5] || sheet[1][1] != "Nguồn tin về tội phạm đã thụ lý" {
		t.Fatalf("xlsx sheet %v, csv %v", sheet, rows)
	}
	defs, err := x.GetRows("Định nghĩa")
	if err != nil || len(defs) != 3 || defs[1][0] != "reports_received" {
		t.Fatalf("definitions sheet %v %v", defs, err)
	}
	wantDetail(t, e.get(v1+"/statistics/export?format=pdf&"+q, tm.chief), http.StatusUnprocessableEntity, "invalid", "format", "enum")
}

// TestStatisticsRollupsAgreeWithFacts: the figures summed from the rollups (days, months, years,
// spells held when the period begins, repeats) equal the distinct subjects counted case by case,
// for periods of every shape, for readers of every kind, over a timeline with a case suspended
// twice, an accused detained, released and detained again, and spells crossing months and years.
func TestStatisticsRollupsAgreeWithFacts(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	start := e.clock.Now()
	var stories []*story
	var accused []string
	var detention string
	for i := 0; i < 3; i++ {
		s := newStory(t, e, tm, nil)
		s.investigate(tm)
		acc := s.addAccused(tm, "Bị Can "+strconv.Itoa(i), "00109509900"+strconv.Itoa(i))
		now := e.clock.Now()
		o := s.ok(v1+"/accused/"+acc+"/measures", tm.chief, s.vks("order_detention", "number", "4"+strconv.Itoa(i)+"/LTG-VKS",
			"measure", map[string]any{"stage": "investigation", "start_at": now.Add(-time.Hour).Format(time.RFC3339),
				"ordered_end": now.AddDate(0, 0, 60).In(ict).Format(time.DateOnly)}))
		if i == 1 {
			for _, a := range o.Accused {
				for _, m := range a.Measures {
					if a.ID == acc && m.Status == "active" {
						detention = m.ID
					}
				}
			}
		}
		stories, accused = append(stories, s), append(accused, acc)
		e.clock.Advance(17 * 24 * time.Hour)
		tm = loginKV1(e) // access tokens are short-lived
	}
	s := stories[0]
	s.decide(tm.ksv, s.cqdt("suspend_investigation", "number", "25/QĐ-TĐCĐT"))
	e.clock.Advance(20 * 24 * time.Hour)
	tm = loginKV1(e)
	s.decide(tm.ksv, s.cqdt("resume_investigation", "number", "26/QĐ-PHĐT"))
	e.clock.Advance(25 * 24 * time.Hour)
	tm = loginKV1(e)
	s.decide(tm.ksv, s.cqdt("suspend_investigation", "number", "27/QĐ-TĐCĐT"))
	// The second accused is released, then detained again a month later: two spells.
	stories[1].ok(v1+"/accused/"+accused[1]+"/measures", tm.ksv, stories[1].cqdt("end_measure", "measure_id", detention))
	e.clock.Advance(31 * 24 * time.Hour)
	tm = loginKV1(e)
	stories[1].detain(tm, accused[1], "49/LTG-VKS", 60)
	e.clock.Advance(40 * 24 * time.Hour)
	tm = loginKV1(e)
	if _, err := e.svc.Monitor.Sweep(context.Background(), e.clock.Now()); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	day := func(t time.Time) time.Time {
		t = t.In(ict)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ict)
	}
	first, last := day(start).AddDate(0, 0, -3), day(e.clock.Now()).AddDate(0, 0, 2)
	var bounds []time.Time
	for d := first; d.Before(last); d = d.AddDate(0, 0, 19) {
		bounds = append(bounds, d)
	}
	bounds = append(bounds, time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, ict), time.Date(first.Year(), 1, 1, 0, 0, 0, 0, ict),
		time.Date(last.Year()+1, 1, 1, 0, 0, 0, 0, ict), time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, ict))
	units := []int64{e.units[seed.SupremeCode].ID, e.units[seed.ProvinceCode("HNI")].ID, e.units[seed.RegionalCode("HNI", 1)].ID}
	seen := map[string]bool{}
	for _, who := range []string{"tc.vientruong", "hn.vientruong", "hnkv1.ksv1"} {
		p := e.principal(t, who)
		scope := e.svc.Authz.Scope(p, "case.read")
		for _, unit := range units {
			for _, from := range bounds {
				for _, to := range bounds {
					if !from.Before(to) {
						continue
					}
					f := domain.StatFilter{UnitID: unit, IncludeSubunits: true, From: from, To: to}
					for _, in := range workflow.Indicators {
						f.Indicators = append(f.Indicators, string(in.ID))
					}
					fast, err := e.store.Statistics(ctx, scope, f)
					if err != nil {
						t.Fatal(err)
					}
					f.CaseByCase = true
					slow, err := e.store.Statistics(ctx, scope, f)
					if err != nil {
						t.Fatal(err)
					}
					a, b := cellMap(fast), cellMap(slow)
					if !reflect.DeepEqual(a, b) {
						t.Fatalf("%s, unit %d, %s–%s:\n rollups      %v\n case by case %v", who, unit, from.Format(time.DateOnly),
							to.Format(time.DateOnly), a, b)
					}
					for k := range b {
						seen[k[:strings.IndexByte(k, '/')]] = true
					}
				}
			}
		}
	}
	for _, id := range []string{"cases_suspended", "accused_in_detention", "cases_instituted", "reports_received"} {
		if !seen[id] {
			t.Errorf("%s never counted: the comparison proves nothing for it", id)
		}
	}
}

func cellMap(cells []domain.StatCell) map[string]int64 {
	out := map[string]int64{}
	for _, c := range cells {
		out[c.Indicator+"/"+strconv.FormatInt(c.UnitID, 10)+"/"+c.Class+"/"+c.Chapter] += c.Value
	}
	return out
}

// TestIndicatorDefinitionsInTheDatabase: the triggers that keep the statistics' facts read what an
// indicator counts, and the chapters of the Penal Code, from tables written by the migrations;
// they must say exactly what workflow.Indicators and workflow.PenalChapters say, so a definition
// changed in code without a migration fails here.
func TestIndicatorDefinitionsInTheDatabase(t *testing.T) {
	e := newEnv(t)
	rows, err := e.db.Query(`SELECT id, version, source, counts, kind, array_to_string(steps, ',') FROM stat_indicators ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	inDB := map[string]string{}
	for rows.Next() {
		var id, source, counts, kind, steps string
		var version int
		if err := rows.Scan(&id, &version, &source, &counts, &kind, &steps); err != nil {
			t.Fatal(err)
		}
		inDB[id] = strconv.Itoa(version) + "|" + source + "|" + counts + "|" + kind + "|" + steps
	}
	inCode := map[string]string{}
	for _, in := range workflow.Indicators {
		var steps []string
		for _, s := range in.Steps {
			steps = append(steps, string(s))
		}
		inCode[string(in.ID)] = strconv.Itoa(in.Version) + "|" + string(in.Source) + "|" + string(in.Counts) + "|" + string(in.Kind) + "|" +
			strings.Join(steps, ",")
	}
	if !reflect.DeepEqual(inDB, inCode) {
		t.Errorf("stat_indicators differ from workflow.Indicators:\n db   %v\n code %v", inDB, inCode)
	}
	var chapters []string
	crows, err := e.db.Query(`SELECT number || ':' || from_article || '-' || to_article FROM penal_chapters ORDER BY from_article`)
	if err != nil {
		t.Fatal(err)
	}
	defer crows.Close()
	for crows.Next() {
		var s string
		if err := crows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		chapters = append(chapters, s)
	}
	var want []string
	for _, c := range workflow.PenalChapters {
		want = append(want, c.Number+":"+strconv.Itoa(c.From)+"-"+strconv.Itoa(c.To))
	}
	if !reflect.DeepEqual(chapters, want) {
		t.Errorf("penal_chapters %v, workflow %v", chapters, want)
	}
}

// TestStatisticsEveryIndicatorByHand drives one story per indicator through the API and checks
// that every one of the 14 moves by exactly what was done: received, resolved, instituted,
// prosecuted, tried, suspended (twice, one case), terminated, returned by the procuracy and by the
// court, an accused detained, violations found (counted here by an independent query of the
// violations recorded) and one remedied by the act done late.
func TestStatisticsEveryIndicatorByHand(t *testing.T) {
	e := newEnv(t)
	tm := loginKV1(e)
	kv1 := e.units[seed.RegionalCode("HNI", 1)].ID
	y := e.clock.Now().In(ict).Year()
	from, to := time.Date(y, 1, 1, 0, 0, 0, 0, ict), time.Date(y+2, 1, 1, 0, 0, 0, 0, ict)
	query := "unit_id=" + strconv.FormatInt(kv1, 10) + "&include_subunits=false&from=" + from.Format(time.DateOnly) + "&to=" +
		to.AddDate(0, 0, -1).Format(time.DateOnly)
	violations := func() int64 {
		return int64(e.count(`SELECT count(*) FROM violations WHERE unit_id = $1 AND withdrawn_at IS NULL AND detected_at >= $2 AND detected_at < $3`,
			kv1, from, to))
	}
	before, foundBefore := e.statistics(t, tm.chief, query).Totals, violations()

	// A: instituted, an accused detained, returned by the procuracy, indicted, returned by the court.
	a := newStory(t, e, tm, nil)
	a.investigate(tm)
	acc := a.addAccused(tm, "Trần Văn Bình", "001095012345")
	a.detain(tm, acc, "41/LTG-VKS", 60)
	a.prosecute(tm)
	a.decide(tm.chief, a.vks("return_for_supplementary", "number", "1/QĐ-VKS-TBS"))
	a.decide(tm.ksv, a.cqdt("conclude_supplementary", "number", "1/KLĐTBS"))
	a.indict(tm)
	a.decide(tm.ksv, a.court("court_return_for_supplementary", "returned_by", "presiding_judge", "number", "01/QĐ-TA-TBS"))
	// B: tried at first instance.
	b := newStory(t, e, tm, nil)
	b.toTrial(tm, "Lê Văn Cường", "001095012346")
	b.decide(tm.ksv, b.court("pronounce_judgment", "number", "80/HSST"))
	// C: suspended, resumed, suspended again: one case suspended.
	c := newStory(t, e, tm, nil)
	c.investigate(tm)
	c.decide(tm.ksv, c.cqdt("suspend_investigation", "number", "25/QĐ-TĐCĐT"))
	c.decide(tm.ksv, c.cqdt("resume_investigation", "number", "26/QĐ-PHĐT"))
	c.decide(tm.ksv, c.cqdt("suspend_investigation", "number", "27/QĐ-TĐCĐT"))
	// D: terminated.
	d := newStory(t, e, tm, nil)
	d.investigate(tm)
	d.decide(tm.ksv, d.cqdt("terminate_investigation", "number", "30/QĐ-ĐCĐT"))
	// E: a report left past its 20 days (Điều 147 BLTTHS), then resolved late: a violation found
	// and remedied.
	ev := newStory(t, e, tm, nil)
	e.clock.Advance(25 * 24 * time.Hour)
	if _, err := e.svc.Monitor.Sweep(context.Background(), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	tm = loginKV1(e)
	ev.decide(tm.ksv, ev.cqdt("institute_case", "number", "15/QĐ-CSĐT"))

	after := e.statistics(t, tm.chief, query).Totals
	found := violations() - foundBefore
	if found < 1 {
		t.Fatalf("no violation recorded for the report left past its limit")
	}
	want := map[string]int64{"reports_received": 5, "cases_received": 0, "reports_resolved": 5, "cases_instituted": 4, "accused_instituted": 2,
		"cases_prosecuted": 2, "cases_tried": 1, "cases_suspended": 1, "cases_terminated": 1, "returned_by_procuracy": 1, "returned_by_court": 1,
		"accused_in_detention": 1, "violations_found": found, "violations_remedied": 1}
	if len(want) != len(workflow.Indicators) {
		t.Fatalf("the test names %d indicators, the definitions %d", len(want), len(workflow.Indicators))
	}
	for _, in := range workflow.Indicators {
		id := string(in.ID)
		if got := after[id] - before[id]; got != want[id] {
			t.Errorf("%s moved by %d, want %d", id, got, want[id])
		}
	}
}
