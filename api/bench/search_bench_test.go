package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Search and the assistant (issue 8), as the Hà Nội provincial chief, over a mix of queries a
// procuracy types: full names with and without diacritics, a typo, common words matching tens of
// thousands of cases, an article, facts. Each benchmark reports the mean (ns/op) and the p50 and
// p95 of its requests; the raw pgx benchmark runs the case search's SQL alone, as the baseline.
//
// At scale:
//
//	BENCH_DATABASE_URL=postgres://.../kiemsat_1m go test -run '^$' -bench 'Search|Assistant' -benchtime 100x ./api/bench/

var searchMix = []string{
	"Phan Ngọc Trang", "phan ngoc trang", "Duong Thi Maii", "trộm cắp tài sản", "trom cap", "ma tuy tong hop",
	"điều 173 khoản 1", "Honda Vision giật túi xách", "xin viec lam", "Nguyễn Văn Hùng",
}

// latencies records each request's duration and reports p50 and p95 in milliseconds.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	s := slices.Clone(l)
	slices.Sort(s)
	at := func(p float64) float64 { return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}

func benchRequests(b *testing.B, next func(i int) *http.Request) {
	e := setup(b)
	for i := range 3 { // warm the caches and check every request works
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, next(i))
		if rec.Code != http.StatusOK {
			b.Fatalf("HTTP %d %.300s", rec.Code, rec.Body.String())
		}
	}
	var lat latencies
	i := 0
	b.ResetTimer()
	for b.Loop() {
		r := next(i)
		i++
		start := time.Now()
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, r)
		lat = append(lat, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("HTTP %d %.300s", rec.Code, rec.Body.String())
		}
	}
	lat.report(b)
}

func (e *benchEnv) request(method, path, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Bearer "+e.token)
	return r
}

// BenchmarkSearchCasesAPI is GET /api/v1/search?kind=case over the mix.
func BenchmarkSearchCasesAPI(b *testing.B) {
	e := setup(b)
	benchRequests(b, func(i int) *http.Request {
		return e.request("GET", "/api/v1/search?kind=case&q="+url.QueryEscape(searchMix[i%len(searchMix)]), "")
	})
}

// BenchmarkSearchAllAPI is GET /api/v1/search over cases, documents and the law at once.
func BenchmarkSearchAllAPI(b *testing.B) {
	e := setup(b)
	benchRequests(b, func(i int) *http.Request {
		return e.request("GET", "/api/v1/search?q="+url.QueryEscape(searchMix[i%len(searchMix)]), "")
	})
}

// BenchmarkSearchCasesRawPGX runs the case search's statements alone through pgx: the candidates
// of the windows of months (the plain query as plainto_tsquery builds it, AND one of the scope's
// unit tokens AND one of the window's month tokens), then the ranking and the snippets of the top
// ten; no typo step, no audit, no JSON. It is the floor under the API figure.
func BenchmarkSearchCasesRawPGX(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	var userID string
	if err := e.pool.QueryRow(ctx, `SELECT id::text FROM users WHERE username = $1`, benchUser).Scan(&userID); err != nil {
		b.Fatal(err)
	}
	var units []string
	for _, id := range e.unitIDs {
		units = append(units, fmt.Sprintf("'§u%d'", id))
	}
	unitQ := "(" + strings.Join(units, " | ") + ")"
	month := func(n int) string {
		t := time.Now().In(time.FixedZone("ICT", 7*3600))
		m := time.Date(t.Year(), t.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC)
		return fmt.Sprintf("'§m%d%02d'", m.Year(), int(m.Month()))
	}
	windows := [][2]int{{0, 2}, {2, 12}, {12, 36}, {36, -1}}
	const scope = `(NOT s.secret OR s.unit_id = ANY($3) OR EXISTS (SELECT 1 FROM case_assignments ca WHERE ca.case_id = s.case_id AND ca.user_id = $4 AND ca.ended_at IS NULL))`
	run := func(text string) (int, error) {
		var ids []string
		read := func(tokens, older string, limit int) error {
			rows, err := e.pool.Query(ctx, `SELECT s.case_id::text FROM case_search s
				WHERE s.tsv_plain @@ (plainto_tsquery('kiemsat_plain', $1) && $2::tsquery) AND `+older+` AND s.unit_id = ANY($5) AND `+scope+` LIMIT $6`,
				pgx.QueryExecModeExec, text, tokens, e.ownUnit, userID, e.unitIDs, limit)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return rows.Err()
		}
		window := func(w [2]int) error {
			// The open window asks the index for the scope only and leaves the months to the rows.
			tokens, older := unitQ, "TRUE"
			if w[1] > 0 {
				var months []string
				for n := w[0]; n < w[1]; n++ {
					months = append(months, month(n))
				}
				tokens += " & (" + strings.Join(months, " | ") + ")"
			} else {
				older = "s.received_month < " + strings.Trim(month(w[0]-1), "'§m")
			}
			return read(tokens, older, 1001-len(ids))
		}
		// The first window; then, unless it is full, every match when there are at most 1000,
		// else the other windows, as the repository reads them.
		if err := window(windows[0]); err != nil {
			return 0, err
		}
		if len(ids) <= 1000 {
			first := len(ids)
			if err := read(unitQ, "TRUE", 1001); err != nil {
				return 0, err
			}
			if len(ids)-first <= 1000 {
				ids = ids[first:]
			} else {
				ids = ids[:first]
				for _, w := range windows[1:] {
					if err := window(w); err != nil {
						return 0, err
					}
					if len(ids) > 1000 {
						break
					}
				}
			}
		}
		rows, err := e.pool.Query(ctx, `WITH top AS (SELECT s.case_id, s.received_at, s.head, s.rest,
				ts_rank(s.tsv_plain, plainto_tsquery('kiemsat_plain', $1)) + 2 * ts_rank(s.tsv_accented, plainto_tsquery('simple', $1)) AS rank
			FROM case_search s WHERE s.case_id = ANY($2::uuid[]) ORDER BY rank DESC, s.received_at DESC, s.case_id LIMIT 10)
			SELECT c.id, c.number, c.summary, top.rank,
				ts_headline('kiemsat_plain', top.head || ' · ' || top.rest, plainto_tsquery('kiemsat_plain', $1), 'MaxWords=28, MinWords=12, MaxFragments=2')
			FROM top JOIN cases c ON c.id = top.case_id ORDER BY top.rank DESC`, pgx.QueryExecModeExec, text, ids)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id [16]byte
			var number, summary, snippet string
			var rank float64
			if err := rows.Scan(&id, &number, &summary, &rank, &snippet); err != nil {
				return 0, err
			}
			n++
		}
		return n, rows.Err()
	}
	if n, err := run("trộm cắp tài sản"); err != nil || n == 0 {
		b.Fatalf("raw search: %d rows, %v", n, err)
	}
	var lat latencies
	i := 0
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := run(searchMix[i%len(searchMix)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	lat.report(b)
}

// BenchmarkAssistantAPI is POST /api/v1/assistant/ask over a mix of procedure, classification,
// case (clocks of a case in scope) and similar-case questions, without a language model.
func BenchmarkAssistantAPI(b *testing.B) {
	e := setup(b)
	theft := e.caseIDs[0]
	if err := e.pool.QueryRow(context.Background(), `SELECT a.case_id::text FROM charges ch JOIN accused a ON a.id = ch.accused_id
		JOIN cases c ON c.id = a.case_id WHERE ch.article = '173' AND c.unit_id = ANY($1) AND NOT c.secret LIMIT 1`, e.unitIDs).Scan(&theft); err != nil {
		b.Fatal(err)
	}
	asks := []string{
		`{"question":"Thời hạn tạm giam để điều tra tội rất nghiêm trọng là bao lâu, gia hạn mấy lần?"}`,
		`{"question":"khoan 2 dieu 173 la loai toi gi"}`,
		fmt.Sprintf(`{"question":"Vụ này còn mấy ngày hết hạn điều tra?","case_id":%q}`, theft),
		fmt.Sprintf(`{"question":"Tìm vụ án tương tự","case_id":%q}`, theft),
		`{"question":"vu an tuong tu dieu 174 khoan 2"}`,
		`{"question":"cach tinh thoi han khi ngay cuoi la ngay nghi"}`,
		`{"question":"Giá vàng hôm nay bao nhiêu?"}`,
	}
	benchRequests(b, func(i int) *http.Request {
		return e.request("POST", "/api/v1/assistant/ask", asks[i%len(asks)])
	})
}

// BenchmarkSearchCasesByQuery is BenchmarkSearchCasesAPI one query at a time, to see which kind of
// query costs what (a rare name, a common word, a typo).
func BenchmarkSearchCasesByQuery(b *testing.B) {
	e := setup(b)
	for _, q := range searchMix {
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			benchRequests(b, func(int) *http.Request {
				return e.request("GET", "/api/v1/search?kind=case&q="+url.QueryEscape(q), "")
			})
		})
	}
}

// BenchmarkSearchLawAPI is GET /api/v1/search?kind=law over the mix: the Penal Code catalog, the
// rules and the facts, searched as passages.
func BenchmarkSearchLawAPI(b *testing.B) {
	e := setup(b)
	benchRequests(b, func(i int) *http.Request {
		return e.request("GET", "/api/v1/search?kind=law&q="+url.QueryEscape(searchMix[i%len(searchMix)]), "")
	})
}
