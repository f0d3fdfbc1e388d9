package bench_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The chiefs' supervision endpoints as the Hà Nội chief, over the province's whole subtree: the
// caseload of the year to date and the statistics of a year, every indicator, by unit.

func benchGet(b *testing.B, path string) {
	e := setup(b)
	if rec := e.get(path); rec.Code != http.StatusOK {
		b.Fatalf("%s: HTTP %d %.300s", path, rec.Code, rec.Body.String())
	}
	b.ResetTimer()
	for b.Loop() {
		if rec := e.get(path); rec.Code != http.StatusOK {
			b.Fatalf("%s: HTTP %d", path, rec.Code)
		}
	}
}

func BenchmarkCaseloadProvince(b *testing.B) {
	benchGet(b, "/api/v1/caseload?include_subunits=true&period="+strconv.Itoa(time.Now().Year()))
}

func BenchmarkStatisticsProvinceYear(b *testing.B) {
	benchGet(b, "/api/v1/statistics?include_subunits=true&by=unit&period="+strconv.Itoa(time.Now().Year()))
}
