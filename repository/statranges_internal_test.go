package repository

import (
	"testing"
	"time"

	"kiemsat/domain"
)

// TestStatRanges checks that a period is cut into runs that cover it exactly, each run whole days,
// months or years, and as few as the calendar allows.
func TestStatRanges(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.ParseInLocation(time.DateOnly, s, domain.ICT)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		from, to string
		want     string
	}{
		{"2025-01-01", "2026-01-01", "y[2025-01-01,2026-01-01)"},
		{"2025-03-01", "2025-06-01", "m[2025-03-01,2025-06-01)"},
		{"2025-03-05", "2025-03-09", "d[2025-03-05,2025-03-09)"},
		{"2026-01-01", "2026-12-03", "m[2026-01-01,2026-12-01) d[2026-12-01,2026-12-03)"},
		{"2023-11-15", "2026-02-10", "d[2023-11-15,2023-12-01) m[2023-12-01,2024-01-01) y[2024-01-01,2026-01-01) m[2026-01-01,2026-02-01) d[2026-02-01,2026-02-10)"},
		{"2025-12-31", "2026-01-02", "d[2025-12-31,2026-01-01) d[2026-01-01,2026-01-02)"},
		{"1900-01-01", "2026-03-04", "y[1900-01-01,2026-01-01) m[2026-01-01,2026-03-01) d[2026-03-01,2026-03-04)"},
		{"1900-01-01", "1900-01-01", ""},
		{"2024-02-29", "2024-03-01", "d[2024-02-29,2024-03-01)"},
	}
	for _, c := range cases {
		var got []string
		from, to := d(c.from), d(c.to)
		at := from
		for _, r := range statRanges(from, to) {
			got = append(got, r.grain+"["+r.lo.Format(time.DateOnly)+","+r.hi.Format(time.DateOnly)+")")
			if !r.lo.Equal(at) {
				t.Errorf("%s–%s: gap or overlap at %s", c.from, c.to, r.lo)
			}
			at = r.hi
			switch r.grain {
			case "m":
				if r.lo.Day() != 1 || r.hi.Day() != 1 {
					t.Errorf("%s–%s: months not whole: %v", c.from, c.to, r)
				}
			case "y":
				if r.lo.YearDay() != 1 || r.hi.YearDay() != 1 {
					t.Errorf("%s–%s: years not whole: %v", c.from, c.to, r)
				}
			}
		}
		if !at.Equal(to) {
			t.Errorf("%s–%s: ends at %s", c.from, c.to, at)
		}
		if s := join(got); s != c.want {
			t.Errorf("%s–%s:\n got  %s\n want %s", c.from, c.to, s, c.want)
		}
	}
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
