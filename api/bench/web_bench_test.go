package bench_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// The web UI's pages as the Hà Nội provincial chief, server time from the request to the last
// byte of HTML: the session cookie verified, the same service calls as the API, the template run.
// Each page has its API twin measured in the same run (BenchmarkCaseloadProvince,
// BenchmarkListCasesAPI, BenchmarkGetCaseAPI), so the ratio shows what rendering adds.
//
//	BENCH_DATABASE_URL=postgres://.../kiemsat_1m go test -run '^$' -bench 'Web|CaseloadProvince|ListCasesAPI|GetCaseAPI' ./api/bench/

func benchPage(b *testing.B, path, want string) {
	e := setup(b)
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: "ks_at", Value: e.token})
		e.handler.ServeHTTP(rec, req)
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
		b.Fatalf("%s: HTTP %d, want %q in %.500s", path, rec.Code, want, rec.Body.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := get(); rec.Code != http.StatusOK {
			b.Fatalf("%s: HTTP %d", path, rec.Code)
		}
	}
}

// BenchmarkWebDashboard is the chief's home: the caseload of the province and its subtree.
func BenchmarkWebDashboard(b *testing.B) { benchPage(b, "/", `data-testid="tile-open"`) }

// BenchmarkWebCaseList is the first page of the case list over the whole subtree.
func BenchmarkWebCaseList(b *testing.B) { benchPage(b, "/cases", `data-testid="total"`) }

// BenchmarkWebCaseListOverdue is the list behind the dashboard's overdue figure, as its link
// gives it (the province and its subtree).
func BenchmarkWebCaseListOverdue(b *testing.B) {
	e := setup(b)
	benchPage(b, "/cases?clock=overdue&open=true&include_subunits=true&unit_id="+strconv.FormatInt(e.ownUnit[0], 10), `data-testid="total"`)
}

// BenchmarkWebCaseListOverdueScope is the same list without a unit: the whole scope.
func BenchmarkWebCaseListOverdueScope(b *testing.B) {
	benchPage(b, "/cases?clock=overdue&open=true", `data-testid="total"`)
}

// BenchmarkWebCasePage is one case: header, timeline, clocks computed now, files, the offers.
func BenchmarkWebCasePage(b *testing.B) {
	e := setup(b)
	benchPage(b, "/cases/"+e.caseIDs[len(e.caseIDs)/2], `data-testid="deadlines"`)
}
