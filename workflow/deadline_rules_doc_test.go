package workflow

import (
	"os"
	"strings"
	"testing"
)

func TestDeadlineRulesDoc(t *testing.T) {
	const path = "../docs/deadline-rules.md"
	want := DeadlineRulesMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./workflow -run TestDeadlineRulesDoc -update)", err)
	}
	if string(got) != want {
		t.Fatal("docs/deadline-rules.md is stale: run go test ./workflow -run TestDeadlineRulesDoc -update")
	}
}

// Every rule and every status is in the document; the list of rules not yet covered names no
// rule the table computes, no id twice, and cites an article for each.
func TestDeadlineRulesDocIsComplete(t *testing.T) {
	md := DeadlineRulesMarkdown()
	if !strings.HasPrefix(md, "<!-- Generated") {
		t.Error("the document does not say it is generated")
	}
	for _, r := range Rules {
		if !strings.Contains(md, "| `"+string(r.ID)+"` |") {
			t.Errorf("rule %s is not in the document", r.ID)
		}
		if kindDoc[r.Kind] == "" {
			t.Errorf("rule %s: kind %q is not described", r.ID, r.Kind)
		}
	}
	for _, s := range ClockStatuses {
		if clockStatusDoc[s].vi == "" || !strings.Contains(md, "| `"+string(s)+"` |") {
			t.Errorf("status %s is not described", s)
		}
	}
	seen := map[string]bool{}
	for _, u := range RulesNotYetCovered {
		if _, ok := RuleByID(RuleID(u.ID)); ok {
			t.Errorf("%s is computed but listed as not covered", u.ID)
		}
		if seen[u.ID] || u.Article == "" || u.NoteVI == "" || u.NoteEN == "" || !strings.HasPrefix(u.Article, "Điều ") {
			t.Errorf("uncovered rule %s repeated or incomplete", u.ID)
		}
		seen[u.ID] = true
	}
}
