package repository

import (
	"reflect"
	"testing"
	"time"

	"kiemsat/domain"
)

// The search windows cover every month exactly once, newest first, across a year's turn and in
// Vietnam's calendar (00:30 on 1 February in Hà Nội is still January in UTC).
func TestSearchWindows(t *testing.T) {
	now := time.Date(2027, 1, 31, 17, 30, 0, 0, time.UTC) // 00:30 on 1 February 2027 in Vietnam
	var got [][]string
	for _, w := range searchWindows[:3] {
		got = append(got, windowMonths(now, w))
	}
	want := [][]string{{"§m202702", "§m202701"},
		{"§m202612", "§m202611", "§m202610", "§m202609", "§m202608", "§m202607", "§m202606", "§m202605", "§m202604", "§m202603"}}
	if !reflect.DeepEqual(got[:2], want) {
		t.Errorf("windows at %s: %v, want %v", now.In(domain.ICT), got[:2], want)
	}
	if len(got[2]) != 24 || got[2][0] != "§m202602" || got[2][23] != "§m202403" {
		t.Errorf("third window: %v", got[2])
	}
	// The open window starts where the third ends.
	if last := searchWindows[3]; last[1] >= 0 || monthBack(now, last[0]-1) != 202403 {
		t.Errorf("open window %v starts before %d", last, monthBack(now, last[0]-1))
	}
	if q := anyToken([]string{"§u40", "§u41"}); q != "('§u40' | '§u41')" {
		t.Errorf("anyToken: %s", q)
	}
}

func TestSplitMarks(t *testing.T) {
	got := splitMarks("bị can ⟦Nguyễn⟧ Văn ⟦Đức⟧")
	want := []domain.Highlight{{Text: "bị can "}, {Text: "Nguyễn", Match: true}, {Text: " Văn "}, {Text: "Đức", Match: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitMarks: %+v", got)
	}
	if got := splitMarks("không khớp"); !reflect.DeepEqual(got, []domain.Highlight{{Text: "không khớp"}}) {
		t.Errorf("no marks: %+v", got)
	}
}
