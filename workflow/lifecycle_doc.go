package workflow

import (
	"fmt"
	"slices"
	"strings"

	"kiemsat/domain"
)

// LifecycleMarkdown renders the transition table as docs/lifecycle.md: a Mermaid state diagram
// per subject and a table of every step with its document, issuer, recorder, guards and article.
// A test fails when the committed file differs, so the documentation cannot drift from the law
// the code applies.
func LifecycleMarkdown() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from workflow.Transitions by `go test ./workflow -run TestLifecycleDoc -update`. Do not edit. -->\n\n")
	b.WriteString("# Case lifecycle (vòng đời vụ án)\n\n")
	b.WriteString("Every change of a case's stage, an accused person's status or a preventive measure's status goes through one\n")
	b.WriteString("row of the transition table in `workflow/transitions.go`, recorded as a procedural decision\n")
	b.WriteString("(`POST /api/v1/cases/{id}/decisions`). A step may be recorded only by the roles listed, at the case's own unit\n")
	b.WriteString("unless a unit level is named, and only when its guards hold; a refusal names the guard and the article.\n")
	b.WriteString("Decisions issued by the investigating agency that the law submits to the procuracy (marked *approval*) arrive\n")
	b.WriteString("as pending and take effect only when the procuracy approves them (`POST /api/v1/decisions/{id}/approval`).\n")
	b.WriteString("Terminating a case terminates it as to every accused and ends the preventive measures in force; terminating it\n")
	b.WriteString("as to one accused ends that person's measures (Điều 230(1), 248(1), 282). A correction (`supersedes_id`) records\n")
	b.WriteString("the document again with corrected data and takes no step.\n\n")
	for _, subj := range []domain.Subject{domain.SubjectCase, domain.SubjectAccused, domain.SubjectMeasure} {
		title := map[domain.Subject]string{domain.SubjectCase: "Case stages (giai đoạn tố tụng)",
			domain.SubjectAccused: "Accused (bị can)", domain.SubjectMeasure: "Preventive measures (biện pháp ngăn chặn)"}[subj]
		fmt.Fprintf(&b, "## %s\n\n```mermaid\nstateDiagram-v2\n", title)
		var states []State
		for _, t := range Transitions {
			if t.Subject != subj {
				continue
			}
			for _, f := range t.From {
				to := t.To
				if to == "" {
					to = f
				}
				states = appendNew(states, f, to)
				fmt.Fprintf(&b, "    %s --> %s: %s\n", mermaidID(f), mermaidID(to), t.Step)
			}
		}
		for _, s := range states {
			if s == StateNew {
				continue
			}
			fmt.Fprintf(&b, "    %s: %s\n", mermaidID(s), stateName(subj, s).VI)
		}
		if subj == domain.SubjectCase {
			fmt.Fprintf(&b, "    [*] --> %s\n    [*] --> %s\n", mermaidID(State(domain.InitialStage(domain.KindReport))), mermaidID(State(domain.InitialStage(domain.KindCase))))
		} else {
			fmt.Fprintf(&b, "    [*] --> %s\n", mermaidID(StateNew))
		}
		b.WriteString("```\n\n")
		b.WriteString("| step | from | to | document | issued by | approval | recorded by | unit level | guards | article |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
		for _, t := range Transitions {
			if t.Subject != subj {
				continue
			}
			var from []string
			for _, f := range t.From {
				from = append(from, "`"+string(f)+"`")
			}
			to := "(stays)"
			if t.To != "" {
				to = "`" + string(t.To) + "`"
			}
			var issuers, roles, levels, gs []string
			for _, x := range t.Issuers {
				issuers = append(issuers, string(x))
			}
			for _, r := range t.Roles {
				roles = append(roles, string(r))
			}
			for _, l := range t.Levels {
				levels = append(levels, string(l))
			}
			for _, g := range t.Guards {
				gs = append(gs, "`"+string(g)+"`")
			}
			approval := "–"
			if t.Approval != nil {
				var ai []string
				for _, x := range t.Approval.Issuers {
					ai = append(ai, string(x))
				}
				approval = "if issued by " + strings.Join(ai, ", ") + " (" + t.Approval.Article + ")"
			}
			lv := "case's unit"
			if len(levels) > 0 {
				lv = strings.Join(levels, ", ")
			}
			fmt.Fprintf(&b, "| `%s` — %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", t.Step, t.NameVI, t.NameEN,
				strings.Join(from, ", "), to, DocNames[t.Doc].VI, strings.Join(issuers, ", "), approval, strings.Join(roles, ", "), lv,
				dash(strings.Join(gs, ", ")), t.Article)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Guards\n\n| guard | article | condition |\n|---|---|---|\n")
	ids := make([]string, 0, len(guards))
	for id := range guards {
		ids = append(ids, string(id))
	}
	slices.Sort(ids)
	for _, id := range ids {
		g := guards[GuardID(id)]
		fmt.Fprintf(&b, "| `%s` | %s | %s (%s) |\n", id, g.article, g.vi, g.en)
	}
	return b.String()
}

func appendNew(states []State, ss ...State) []State {
	for _, s := range ss {
		if !slices.Contains(states, s) {
			states = append(states, s)
		}
	}
	return states
}

// mermaidID makes a state usable as a Mermaid identifier.
func mermaidID(s State) string {
	if s == StateNew {
		return "new"
	}
	return "s_" + string(s)
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
