package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/workflow"
)

// Closed periods (khóa số liệu kỳ thống kê) and the crime-trend view.

type closePeriodJSON struct {
	UnitID int64  `json:"unit_id"`
	Period string `json:"period"`
	From   string `json:"from"`
	To     string `json:"to"`
	Note   string `json:"note"`
}

type statDifferenceJSON struct {
	Indicator string `json:"indicator"`
	UnitID    int64  `json:"unit_id"`
	Class     string `json:"class"`
	Chapter   string `json:"chapter"`
	Frozen    int64  `json:"frozen"`
	Current   int64  `json:"current"`
}

type statPeriodJSON struct {
	ID        string `json:"id"`
	UnitID    int64  `json:"unit_id"`
	Label     string `json:"label"`
	From      string `json:"from"`
	To        string `json:"to"`
	ClosedBy  string `json:"closed_by"`
	ClosedAt  string `json:"closed_at"`
	Note      string `json:"note"`
	Digest    string `json:"digest"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

type closedPeriodJSON struct {
	Period statPeriodJSON `json:"period"`
	// Snapshot is the signed document, byte for byte (base64 would hide it; it is JSON already).
	Snapshot    string               `json:"snapshot"`
	Valid       bool                 `json:"signature_valid"`
	Totals      map[string]int64     `json:"totals"`
	Current     map[string]int64     `json:"current_totals"`
	Differences []statDifferenceJSON `json:"differences"`
}

func toStatPeriodJSON(p domain.StatPeriod) statPeriodJSON {
	return statPeriodJSON{ID: p.ID, UnitID: p.UnitID, Label: p.Label, From: ictDate(p.From), To: ictDate(p.To.AddDate(0, 0, -1)),
		ClosedBy: p.ClosedBy, ClosedAt: ictInstant(p.ClosedAt), Note: p.Note, Digest: p.Digest, KeyID: p.KeyID, Signature: p.Signature}
}

func toClosedPeriodJSON(cp service.ClosedPeriod) closedPeriodJSON {
	out := closedPeriodJSON{Period: toStatPeriodJSON(cp.Period), Snapshot: string(cp.Period.Payload), Valid: cp.Valid,
		Totals: cp.Totals, Current: cp.Current, Differences: []statDifferenceJSON{}}
	for _, d := range cp.Differences {
		out.Differences = append(out.Differences, statDifferenceJSON{Indicator: d.Indicator, UnitID: d.UnitID, Class: d.Class, Chapter: d.Chapter,
			Frozen: d.Value, Current: d.Current})
	}
	return out
}

// closePeriod answers POST /statistics/periods: a unit head freezes a period's figures.
func (s *Server) closePeriod(c *gin.Context) {
	var in closePeriodJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	r := service.StatCloseRequest{UnitID: in.UnitID, Note: in.Note, Label: in.Period}
	switch {
	case in.Period != "" && (in.From != "" || in.To != ""):
		s.fail(c, domain.Invalid("period", "exclusive", "dùng period hoặc from/to, không dùng cả hai"))
		return
	case in.Period != "":
		from, to, ok := namedPeriod(in.Period)
		if !ok {
			s.fail(c, domain.Invalid("period", "format", "period phải là YYYY, YYYY-MM hoặc YYYY-Qn"))
			return
		}
		r.From, r.To = from, to
	default:
		if in.From == "" {
			s.fail(c, domain.Invalid("period", "required", "cần period hoặc from và to"))
			return
		}
		from, err := time.ParseInLocation(time.DateOnly, in.From, service.VietnamTime)
		if err != nil {
			s.fail(c, domain.Invalid("from", "format", "from phải có dạng YYYY-MM-DD"))
			return
		}
		to, err := time.ParseInLocation(time.DateOnly, in.To, service.VietnamTime)
		if err != nil {
			s.fail(c, domain.Invalid("to", "format", "to phải có dạng YYYY-MM-DD"))
			return
		}
		r.From, r.To, r.Label = from, to.AddDate(0, 0, 1), in.From+".."+in.To
	}
	cp, err := s.Statistics.ClosePeriod(c.Request.Context(), principal(c), r)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/statistics/periods/"+cp.Period.ID)
	c.JSON(http.StatusCreated, toClosedPeriodJSON(cp))
}

// getPeriod answers GET /statistics/periods/{id}: the snapshot, its signature and the differences.
func (s *Server) getPeriod(c *gin.Context) {
	cp, err := s.Statistics.Period(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, toClosedPeriodJSON(cp))
}

// listPeriods answers GET /statistics/periods: the closed periods of a unit (and its subtree).
func (s *Server) listPeriods(c *gin.Context) {
	unitID, err := queryInt64(c, "unit_id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var unit int64
	if unitID != nil {
		unit = *unitID
	}
	sub, err := queryBool(c, "include_subunits", false)
	if err != nil {
		s.fail(c, err)
		return
	}
	limit, offset, err := queryPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Statistics.Periods(c.Request.Context(), principal(c), unit, sub, limit, offset)
	writeList(s, c, items, total, err, func(p domain.StatPeriod) any { return toStatPeriodJSON(p) })
}

type trendJSON struct {
	UnitID          int64    `json:"unit_id"`
	IncludeSubunits bool     `json:"include_subunits"`
	Indicator       string   `json:"indicator"`
	Months          []string `json:"months"`
	// Series: one per chapter (offence group), its count for each month in Months.
	Series []trendSeriesJSON `json:"series"`
	Totals []int64           `json:"totals"`
}

type trendSeriesJSON struct {
	Chapter string  `json:"chapter"`
	Title   string  `json:"title"`
	Values  []int64 `json:"values"`
	Total   int64   `json:"total"`
}

// getTrend answers GET /statistics/trend: an indicator by month and Penal Code chapter, by default
// cases instituted over the last five years to the current month.
func (s *Server) getTrend(c *gin.Context) {
	r := service.TrendRequest{Indicator: c.Query("indicator")}
	unitID, err := queryInt64(c, "unit_id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if unitID != nil {
		r.UnitID = *unitID
	}
	if r.IncludeSubunits, err = queryBool(c, "include_subunits", true); err != nil {
		s.fail(c, err)
		return
	}
	now := s.Now().In(service.VietnamTime)
	r.From, r.To = time.Date(now.Year()-4, 1, 1, 0, 0, 0, 0, service.VietnamTime), time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, service.VietnamTime).AddDate(0, 1, 0)
	for _, q := range []struct {
		name string
		into *time.Time
		next bool
	}{{"from", &r.From, false}, {"to", &r.To, true}} {
		if v := c.Query(q.name); v != "" {
			m, err := time.ParseInLocation("2006-01", v, service.VietnamTime)
			if err != nil {
				s.fail(c, badRequest(q.name+" phải có dạng YYYY-MM", q.name))
				return
			}
			if q.next {
				m = m.AddDate(0, 1, 0)
			}
			*q.into = m
		}
	}
	if !r.From.Before(r.To) {
		s.fail(c, domain.Invalid("to", "after_from", "tháng kết thúc phải không trước tháng bắt đầu"))
		return
	}
	tr, err := s.Statistics.Trend(c.Request.Context(), principal(c), r)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := trendJSON{UnitID: tr.Filter.UnitID, IncludeSubunits: tr.Filter.IncludeSubunits, Indicator: r.Indicator, Months: []string{},
		Series: []trendSeriesJSON{}, Totals: make([]int64, len(tr.Months))}
	if out.Indicator == "" {
		out.Indicator = tr.Filter.Indicators[0]
	}
	index := map[string]int{}
	for i, m := range tr.Months {
		out.Months = append(out.Months, m.Format("2006-01"))
		index[m.Format("2006-01")] = i
	}
	series := map[string]*trendSeriesJSON{}
	var order []string
	for _, cell := range tr.Cells {
		sr := series[cell.Chapter]
		if sr == nil {
			sr = &trendSeriesJSON{Chapter: cell.Chapter, Title: chapterTitle(cell.Chapter), Values: make([]int64, len(tr.Months))}
			series[cell.Chapter] = sr
			order = append(order, cell.Chapter)
		}
		i := index[cell.Month.Format("2006-01")]
		sr.Values[i] += cell.Value
		sr.Total += cell.Value
		out.Totals[i] += cell.Value
	}
	for _, ch := range chapterOrder(order) {
		out.Series = append(out.Series, *series[ch])
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, out)
}

// chapterTitle is a chapter's title in Vietnamese; "" is an offence not yet named.
func chapterTitle(number string) string {
	for _, c := range workflow.PenalChapters {
		if c.Number == number {
			return "Chương " + c.Number + ". " + c.TitleVI
		}
	}
	return "Chưa xác định tội danh"
}

// chapterOrder sorts chapters as the Penal Code does, the unnamed last.
func chapterOrder(chs []string) []string {
	rank := map[string]int{"": len(workflow.PenalChapters)}
	for i, c := range workflow.PenalChapters {
		rank[c.Number] = i
	}
	out := append([]string(nil), chs...)
	slices.SortFunc(out, func(a, b string) int { return rank[a] - rank[b] })
	return out
}
