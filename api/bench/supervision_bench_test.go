package bench_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The chiefs' supervision endpoints as the Hà Nội chief, over the province's whole subtree: the
// caseload of the year to date and the statistics of a year, every indicator, by unit.

func BenchmarkCaseloadProvince(b *testing.B) {
	e := setup(b)
	path := "/api/v1/caseload?include_subunits=true&period=" + strconv.Itoa(time.Now().Year())
	if rec := e.get(path); rec.Code != http.StatusOK {
		b.Fatalf("caseload: HTTP %d %.300s", rec.Code, rec.Body.String())
	}
	b.ResetTimer()
	for b.Loop() {
		if rec := e.get(path); rec.Code != http.StatusOK {
			b.Fatalf("caseload: HTTP %d", rec.Code)
		}
	}
}

func BenchmarkStatisticsProvinceYear(b *testing.B) {
	e := setup(b)
	path := "/api/v1/statistics?include_subunits=true&by=unit&period=" + strconv.Itoa(time.Now().Year())
	if rec := e.get(path); rec.Code != http.StatusOK {
		b.Fatalf("statistics: HTTP %d %.300s", rec.Code, rec.Body.String())
	}
	b.ResetTimer()
	for b.Loop() {
		if rec := e.get(path); rec.Code != http.StatusOK {
			b.Fatalf("statistics: HTTP %d", rec.Code)
		}
	}
}
