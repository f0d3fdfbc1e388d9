package bench_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The chiefs' supervision endpoints: the caseload of the year to date and the statistics of a
// year, every indicator, as the Supreme Procuracy's chief over the whole tree and as the Hà Nội
// chief over the province; beside them, one count(*) of every case through pgx, the floor any
// figure counted from the cases themselves would stand on.
//
// At scale, on a database filled by `kiemsat gen` (read-only benchmarks only):
//
//	BENCH_DATABASE_URL=postgres://.../kiemsat_1m go test -run '^$' -bench 'Caseload|Statistics|Trend|CountCases' ./api/bench/

func benchGet(b *testing.B, path string) { benchGetAs(b, "", path) }

func benchGetAs(b *testing.B, user, path string) {
	e := setup(b)
	token := e.token
	if user != "" {
		token = e.tokenFor(b, user)
	}
	if rec := e.getAs(token, path); rec.Code != http.StatusOK {
		b.Fatalf("%s: HTTP %d %.300s", path, rec.Code, rec.Body.String())
	}
	b.ResetTimer()
	for b.Loop() {
		if rec := e.getAs(token, path); rec.Code != http.StatusOK {
			b.Fatalf("%s: HTTP %d", path, rec.Code)
		}
	}
}

var year = strconv.Itoa(time.Now().Year())

func BenchmarkCaseloadSupreme(b *testing.B) {
	benchGetAs(b, "tc.vientruong", "/api/v1/caseload?include_subunits=true&period="+year)
}

func BenchmarkCaseloadProvince(b *testing.B) {
	benchGet(b, "/api/v1/caseload?include_subunits=true&period="+year)
}

func BenchmarkStatisticsWholeTreeYear(b *testing.B) {
	benchGetAs(b, "tc.vientruong", "/api/v1/statistics?include_subunits=true&period="+strconv.Itoa(time.Now().Year()-1))
}

func BenchmarkStatisticsWholeTreeYearByUnit(b *testing.B) {
	benchGetAs(b, "tc.vientruong", "/api/v1/statistics?include_subunits=true&by=unit,class,chapter&period="+strconv.Itoa(time.Now().Year()-1))
}

func BenchmarkStatisticsWholeTreeYearToDate(b *testing.B) {
	benchGetAs(b, "tc.vientruong", "/api/v1/statistics?include_subunits=true")
}

func BenchmarkStatisticsProvinceYear(b *testing.B) {
	benchGet(b, "/api/v1/statistics?include_subunits=true&by=unit&period="+year)
}

func BenchmarkTrendWholeTree(b *testing.B) {
	benchGetAs(b, "tc.vientruong", "/api/v1/statistics/trend?include_subunits=true")
}

// BenchmarkCountCasesRawPGX is SELECT count(*) FROM cases through pgx: the baseline.
func BenchmarkCountCasesRawPGX(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	for b.Loop() {
		var n int64
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
}
