package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kiemsat/domain"
)

// Search (tìm kiếm) over cases, document texts and the law, through the text search
// configurations and tables of migration 00024.

// The markers ts_headline puts around matched words; the snippets are split on them, so no markup
// ever travels inside a text.
const (
	markStart = "⟦"
	markStop  = "⟧"
	headline  = `StartSel="⟦", StopSel="⟧", MaxWords=28, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`
)

// searchCandidateCap bounds how many matches in scope the ranking reads: the most recent ones. A
// query matching more (a common word over a province) is ranked among its most recent matches and
// reported as capped, so its cost stays bounded at any size.
const searchCandidateCap = 1000

// searchWindows are the windows of months received, newest first, a search reads its candidates
// from until it has enough of them: this month and the last, the ten before, the two years
// before, and everything older (the open window asks the index for the scope only and leaves the
// months to the rows, which only a rare query reaches).
var searchWindows = [][2]int{{0, 2}, {2, 12}, {12, 36}, {36, -1}}

// monthBack is the yyyymm n months before now's month, in Vietnam.
func monthBack(now time.Time, n int) int {
	t := now.In(domain.ICT)
	m := time.Date(t.Year(), t.Month()-time.Month(n), 1, 0, 0, 0, 0, domain.ICT)
	return m.Year()*100 + int(m.Month())
}

// windowMonths are the tokens of a bounded window's months; a month in the future (a clock set
// ahead) is not looked for.
func windowMonths(now time.Time, w [2]int) []string {
	var out []string
	for n := w[0]; n < w[1]; n++ {
		out = append(out, fmt.Sprintf("§m%d", monthBack(now, n)))
	}
	return out
}

// anyToken is the tsquery that matches one of the tokens.
func anyToken(tokens []string) string {
	q := make([]string, len(tokens))
	for i, t := range tokens {
		q[i] = quoteLexeme(t)
	}
	return "(" + strings.Join(q, " | ") + ")"
}

// candidate is a case a search or a similarity read from the windows.
type candidate struct {
	CaseID     string
	ReceivedAt time.Time
}

// windowed reads the cases in scope whose plain vector matches query (a tsquery of lexemes and
// tokens) and extra (SQL over case_search s, with its args): all of them when there are at most
// want, else the most recent ones window by window, newest months first, until it has want of
// them (capped). Inside a window the rows come in the order the index gives them: the windows,
// not the rows, carry the recency.
func (s *Store) windowed(ctx context.Context, scope domain.Scope, now time.Time, query, extra string, extraArgs []any, want int) ([]candidate, bool, error) {
	p, err := s.scopePartsOf(ctx, scope)
	if err != nil {
		return nil, false, err
	}
	where, args := scopeSQLOf(p, scope, scopeCols{id: "s.case_id", unit: "s.unit_id", secret: "s.secret"})
	var units []string
	for _, id := range append(append([]int64{}, p.any...), p.assigned...) {
		units = append(units, fmt.Sprintf("§u%d", id))
	}
	if extra == "" {
		extra = "TRUE"
	}
	// read runs one query: the tokens and words of q, and the SQL filter month.
	read := func(q, month string, limit int) ([]candidate, error) {
		// The units the scope reaches narrow the index; cases transferred out of them that the
		// scope still reads (moved) are asked for by id.
		match := "FALSE"
		var matchArgs []any
		if len(units) > 0 {
			match, matchArgs = "s.tsv_plain @@ ?::tsquery", []any{q + " & " + anyToken(units)}
		}
		if len(p.moved) > 0 {
			match, matchArgs = "("+match+" OR (s.case_id = ANY(?::uuid[]) AND s.tsv_plain @@ ?::tsquery))", append(matchArgs, uuidArray(p.moved), q)
		}
		all := append(append(append(matchArgs, extraArgs...), args...), limit)
		var rows []candidate
		err := s.conn(ctx).Raw(`SELECT s.case_id, s.received_at FROM case_search s WHERE `+match+` AND `+month+` AND `+extra+` AND `+where+`
			LIMIT ?`, all...).Scan(&rows).Error
		return rows, translate(err, "tìm kiếm")
	}
	// window reads the matches of one window of searchWindows.
	window := func(w [2]int, limit int) ([]candidate, error) {
		if w[1] > 0 {
			return read(query+" & "+anyToken(windowMonths(now, w)), "TRUE", limit)
		}
		return read(query, fmt.Sprintf("s.received_month < %d", monthBack(now, w[0]-1)), limit)
	}
	// A common query fills the first window (two months) on its own. A rare one has all its
	// matches in one read without months: month tokens would make the index walk every month's
	// list of a window, slower than the words' own lists. What is left, a query with more matches
	// than wanted but fewer in two months, goes on through the windows.
	out, err := window(searchWindows[0], want+1)
	if err != nil {
		return nil, false, err
	}
	if len(out) > want {
		return out[:want], true, nil
	}
	all, err := read(query, "TRUE", want+1)
	if err != nil || len(all) <= want {
		return all, false, err
	}
	for _, w := range searchWindows[1:] {
		rows, err := window(w, want+1-len(out))
		if err != nil {
			return nil, false, err
		}
		out = append(out, rows...)
		if len(out) > want {
			return out[:want], true, nil
		}
	}
	return out, false, nil
}

func candidateIDs(cs []candidate) uuidArray {
	ids := make(uuidArray, len(cs))
	for i, c := range cs {
		ids[i] = c.CaseID
	}
	return ids
}

// SearchTerms turns a text into the queries the search runs: the unaccented lexemes (each word
// the lexicon does not know replaced by the known words within a small edit distance: one for a
// word of up to five letters, two beyond) and the accented ones for ranking.
func (s *Store) SearchTerms(ctx context.Context, text string, anyWord bool) (domain.SearchTerms, error) {
	type row struct {
		Lexeme string
		Known  bool
		Alts   string // space-separated: the words are letters only
	}
	var rows []row
	err := s.conn(ctx).Raw(`WITH q AS (SELECT DISTINCT lexeme FROM unnest(to_tsvector('kiemsat_plain', ?)))
		SELECT q.lexeme, k.known,
			CASE WHEN k.known THEN '' ELSE array_to_string(ARRAY(SELECT l.word FROM search_lexicon l
				WHERE abs(length(l.word) - length(q.lexeme)) <= 2
				AND levenshtein(l.word, q.lexeme) <= CASE WHEN length(q.lexeme) > 5 THEN 2 ELSE 1 END
				ORDER BY levenshtein(l.word, q.lexeme), l.word LIMIT 6), ' ') END AS alts
		FROM q CROSS JOIN LATERAL (SELECT q.lexeme !~ '^[a-z]+$' OR length(q.lexeme) < 3
			OR EXISTS (SELECT 1 FROM search_lexicon l WHERE l.word = q.lexeme) AS known) k
		ORDER BY q.lexeme`, text).Scan(&rows).Error
	if err != nil {
		return domain.SearchTerms{}, translate(err, "tìm kiếm")
	}
	var accented []string
	if err := s.conn(ctx).Raw(`SELECT DISTINCT lexeme FROM unnest(to_tsvector('simple', ?)) ORDER BY 1`, text).Scan(&accented).Error; err != nil {
		return domain.SearchTerms{}, translate(err, "tìm kiếm")
	}
	join := " & "
	if anyWord {
		join = " | "
	}
	t := domain.SearchTerms{Any: anyWord}
	var parts []string
	for _, r := range rows {
		alts := strings.Fields(r.Alts)
		if r.Known || len(alts) == 0 {
			parts = append(parts, quoteLexeme(r.Lexeme))
			continue
		}
		if t.Corrected == nil {
			t.Corrected = map[string][]string{}
		}
		t.Corrected[r.Lexeme] = alts
		or := []string{quoteLexeme(r.Lexeme)}
		for _, a := range alts {
			or = append(or, quoteLexeme(a))
		}
		parts = append(parts, "("+strings.Join(or, " | ")+")")
	}
	t.Plain = strings.Join(parts, join)
	q := make([]string, len(accented))
	for i, a := range accented {
		q[i] = quoteLexeme(a)
	}
	t.Accented = strings.Join(q, " | ")
	return t, nil
}

// quoteLexeme quotes a lexeme for to_tsquery, so that no character of it is read as an operator.
func quoteLexeme(l string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(l, `\`, `\\`), "'", "''") + "'"
}

// accentedOr is the ranking query: the accented words, or the plain query when there are none.
func accentedOr(t domain.SearchTerms) string {
	if t.Accented == "" {
		return t.Plain
	}
	return t.Accented
}

// SearchCases finds the cases in scope whose text matches, best ranked first: the plain vector's
// rank plus twice the accented one's, so that an exact spelling outranks a match without
// diacritics. Only the most recent searchCandidateCap matches are ranked.
func (s *Store) SearchCases(ctx context.Context, scope domain.Scope, t domain.SearchTerms, now time.Time, limit int) (domain.SearchPage, error) {
	page := domain.SearchPage{Kind: domain.SearchCase}
	cands, capped, err := s.windowed(ctx, scope, now, "("+t.Plain+")", "", nil, searchCandidateCap)
	if err != nil || len(cands) == 0 {
		return page, err
	}
	page.Total, page.Capped = int64(len(cands)), capped
	type row struct {
		CaseID     string
		Number     string
		Code       string
		UnitID     int64
		Stage      string
		ReceivedAt time.Time
		Summary    string
		Rank       float64
		Snippet    string
	}
	q := `WITH top AS (SELECT s.case_id, s.received_at, s.head, s.rest,
				ts_rank(s.tsv_plain, to_tsquery('simple', ?)) + 2 * ts_rank(s.tsv_accented, to_tsquery('simple', ?)) AS rank
			FROM case_search s WHERE s.case_id = ANY(?::uuid[]) ORDER BY rank DESC, s.received_at DESC, s.case_id LIMIT ?)
		SELECT c.id AS case_id, c.number, c.code, c.unit_id, c.stage, c.received_at, c.summary, top.rank,
			ts_headline('kiemsat_plain', top.head || ' · ' || top.rest, to_tsquery('simple', ?), '` + headline + `') AS snippet
		FROM top JOIN cases c ON c.id = top.case_id
		ORDER BY top.rank DESC, top.received_at DESC, top.case_id`
	var rows []row
	if err := s.conn(ctx).Raw(q, t.Plain, accentedOr(t), candidateIDs(cands), limit, t.Plain).Scan(&rows).Error; err != nil {
		return page, translate(err, "tìm kiếm")
	}
	for _, r := range rows {
		page.Hits = append(page.Hits, domain.SearchHit{Kind: domain.SearchCase, ID: r.CaseID, CaseID: r.CaseID, CaseNumber: r.Number, CaseCode: r.Code,
			UnitID: r.UnitID, Stage: domain.Stage(r.Stage), ReceivedAt: r.ReceivedAt, Title: r.Summary, Snippet: splitMarks(r.Snippet), Rank: r.Rank})
	}
	return page, nil
}

// SearchDocuments finds the current, not withdrawn, versions of documents whose extracted text
// (or title) matches, in cases of scope and classes the caller may read.
func (s *Store) SearchDocuments(ctx context.Context, ds domain.DocumentScope, t domain.SearchTerms, limit int) (domain.SearchPage, error) {
	page := domain.SearchPage{Kind: domain.SearchDocument}
	where, args, err := s.caseScopeSQL(ctx, ds.Read)
	if err != nil {
		return page, err
	}
	confEntries := append(append([]domain.ScopeEntry{}, ds.Confidential.Entries...), ds.Secret.Entries...)
	conf, err := s.scopeUnitIDs(ctx, confEntries)
	if err != nil {
		return page, err
	}
	secret, err := s.scopeUnitIDs(ctx, ds.Secret.Entries)
	if err != nil {
		return page, err
	}
	classCond := `(d.classification = 'normal'
		OR EXISTS (SELECT 1 FROM case_assignments ta WHERE ta.case_id = c.id AND ta.user_id = ? AND ta.ended_at IS NULL)
		OR (d.classification = 'confidential' AND c.unit_id = ANY(?))
		OR (d.classification = 'secret' AND c.unit_id = ANY(?)))`
	type row struct {
		DocumentID string
		Title      string
		CaseID     string
		Number     string
		Code       string
		UnitID     int64
		Stage      string
		ReceivedAt time.Time
		Rank       float64
		Snippet    string
		Matches    int64
	}
	q := `WITH m AS MATERIALIZED (
			SELECT t.document_id, t.body, t.tsv_plain, t.tsv_accented, d.title, c.id AS case_id, c.number, c.code, c.unit_id, c.stage, c.received_at, t.extracted_at
			FROM case_document_texts t
			JOIN case_document_versions v ON v.id = t.version_id
			JOIN case_documents d ON d.id = t.document_id AND d.current_version = v.n AND d.withdrawn_at IS NULL
			JOIN cases c ON c.id = t.case_id
			WHERE t.tsv_plain @@ to_tsquery('simple', ?) AND ` + where + ` AND ` + classCond + `
			ORDER BY t.extracted_at DESC LIMIT ?),
		n AS (SELECT count(*) AS matches FROM m),
		top AS (SELECT m.*, ts_rank(m.tsv_plain, to_tsquery('simple', ?)) + 2 * ts_rank(m.tsv_accented, to_tsquery('simple', ?)) AS rank
			FROM m ORDER BY rank DESC, m.extracted_at DESC, m.document_id LIMIT ?)
		SELECT top.document_id, top.title, top.case_id, top.number, top.code, top.unit_id, top.stage, top.received_at, top.rank, n.matches,
			ts_headline('kiemsat_plain', top.body, to_tsquery('simple', ?), '` + headline + `') AS snippet
		FROM top CROSS JOIN n ORDER BY top.rank DESC, top.extracted_at DESC, top.document_id`
	all := append([]any{t.Plain}, args...)
	all = append(all, ds.Read.UserID, int64Array(conf), int64Array(secret), searchCandidateCap+1, t.Plain, accentedOr(t), limit, t.Plain)
	var rows []row
	if err := s.conn(ctx).Raw(q, all...).Scan(&rows).Error; err != nil {
		return page, translate(err, "tìm kiếm")
	}
	for _, r := range rows {
		page.Total = r.Matches
		page.Hits = append(page.Hits, domain.SearchHit{Kind: domain.SearchDocument, ID: r.DocumentID, CaseID: r.CaseID, CaseNumber: r.Number,
			CaseCode: r.Code, UnitID: r.UnitID, Stage: domain.Stage(r.Stage), ReceivedAt: r.ReceivedAt, Title: r.Title, Snippet: splitMarks(r.Snippet), Rank: r.Rank})
	}
	if page.Total > searchCandidateCap {
		page.Total, page.Capped = searchCandidateCap, true
	}
	return page, nil
}

// SyncLaw stores the law passages when hash differs from the stored one: the passages of another
// content (a new binary, an edited catalog) replace them all, in one transaction that other
// instances syncing the same content wait for.
func (s *Store) SyncLaw(ctx context.Context, hash string, passages []domain.LawPassage) error {
	return s.WithinTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		if err := db.Exec(`LOCK TABLE law_passages_version IN EXCLUSIVE MODE`).Error; err != nil {
			return translate(err, "điều luật")
		}
		var stored []string
		if err := db.Raw(`SELECT hash FROM law_passages_version`).Scan(&stored).Error; err != nil {
			return translate(err, "điều luật")
		}
		if len(stored) == 1 && stored[0] == hash {
			return nil
		}
		if err := db.Exec(`DELETE FROM law_passages`).Error; err != nil {
			return translate(err, "điều luật")
		}
		n := len(passages)
		ids, refs, cites, titles, bodies, from, to := make(textArray, n), make(textArray, n), make(textArray, n), make(textArray, n), make(textArray, n), make(textArray, n), make(textArray, n)
		for i, p := range passages {
			ids[i], refs[i], cites[i], titles[i], bodies[i] = p.ID, p.ID, p.Cite, p.Title, p.Body
			if p.ValidFrom != nil {
				ids[i] = p.ID + "@" + p.ValidFrom.Format(time.DateOnly)
				from[i] = p.ValidFrom.Format(time.DateOnly)
			}
			if p.ValidTo != nil {
				to[i] = p.ValidTo.Format(time.DateOnly)
			}
		}
		if err := db.Exec(`INSERT INTO law_passages (id, ref, cite, title, body, valid_from, valid_to)
			SELECT id, ref, cite, title, body, nullif(f, '')::date, nullif(t, '')::date
			FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS p(id, ref, cite, title, body, f, t)`,
			ids, refs, cites, titles, bodies, from, to).Error; err != nil {
			return translate(err, "điều luật")
		}
		return translate(db.Exec(`INSERT INTO law_passages_version (one, hash) VALUES (true, ?)
			ON CONFLICT (one) DO UPDATE SET hash = EXCLUDED.hash`, hash).Error, "điều luật")
	})
}

// SearchLaw finds the law passages in force on day that match: the Penal Code clauses the
// services classify by, the deadline rules and the reference facts (SyncLaw keeps them).
func (s *Store) SearchLaw(ctx context.Context, t domain.SearchTerms, day time.Time, limit int) (domain.SearchPage, error) {
	page := domain.SearchPage{Kind: domain.SearchLaw}
	type row struct {
		ID, Cite, Title, Snippet string
		Rank                     float64
		Matches                  int64
	}
	d := day.Format(time.DateOnly)
	q := `WITH hit AS (SELECT p.ref, p.cite, p.title, p.body,
				ts_rank(p.tsv_plain, to_tsquery('simple', ?)) + 2 * ts_rank(p.tsv_accented, to_tsquery('simple', ?)) AS rank
			FROM law_passages p WHERE p.tsv_plain @@ to_tsquery('simple', ?)
				AND (p.valid_from IS NULL OR p.valid_from <= ?::date) AND (p.valid_to IS NULL OR p.valid_to >= ?::date)),
		n AS (SELECT count(*) AS matches FROM hit)
		SELECT hit.ref AS id, hit.cite, hit.title, hit.rank, n.matches,
			ts_headline('kiemsat_plain', hit.title || ' · ' || hit.body, to_tsquery('simple', ?), '` + headline + `') AS snippet
		FROM (SELECT * FROM hit ORDER BY rank DESC, ref LIMIT ?) hit CROSS JOIN n ORDER BY hit.rank DESC, hit.ref`
	var rows []row
	if err := s.conn(ctx).Raw(q, t.Plain, accentedOr(t), t.Plain, d, d, t.Plain, limit).Scan(&rows).Error; err != nil {
		return page, translate(err, "tìm kiếm")
	}
	for _, r := range rows {
		page.Total = r.Matches
		page.Hits = append(page.Hits, domain.SearchHit{Kind: domain.SearchLaw, ID: r.ID, Cite: r.Cite, Title: r.Title, Snippet: splitMarks(r.Snippet), Rank: r.Rank})
	}
	return page, nil
}

// splitMarks cuts a headline into plain and matched pieces at the markers.
func splitMarks(s string) []domain.Highlight {
	var out []domain.Highlight
	for s != "" {
		i := strings.Index(s, markStart)
		if i < 0 {
			out = append(out, domain.Highlight{Text: s})
			break
		}
		if i > 0 {
			out = append(out, domain.Highlight{Text: s[:i]})
		}
		s = s[i+len(markStart):]
		j := strings.Index(s, markStop)
		if j < 0 {
			out = append(out, domain.Highlight{Text: s, Match: true})
			break
		}
		out = append(out, domain.Highlight{Text: s[:j], Match: true})
		s = s[j+len(markStop):]
	}
	return out
}

// similarCandidates is how many cases a similarity ranks: the most recent in scope that share a
// clause (or, with none, a word).
const similarCandidates = 300

// SimilarCases finds cases in scope like the query: charged under the same article and clause
// (or registered for it), sharing the points of those clauses, with facts in common, decided ones
// first among equals. The score adds 2 per shared article and clause, 1 per shared point, 3 times
// the trigram similarity of the summaries (0..1, without diacritics) and 0.5 for a case that has
// come to an outcome. Candidates are the most recent similarCandidates cases in scope that share a
// clause (their §c tokens) or, with no charge, a word, read window by window like the search.
func (s *Store) SimilarCases(ctx context.Context, scope domain.Scope, q domain.SimilarQuery, now time.Time) ([]domain.SimilarCase, error) {
	var articles, clauses, points textArray
	for _, c := range q.Charges {
		articles = append(articles, c.Article)
		clauses = append(clauses, fmt.Sprint(c.Clause))
		points = append(points, c.Point)
	}
	exclude := q.ExcludeID
	if exclude == "" {
		exclude = "00000000-0000-0000-0000-000000000000"
	}
	// w are the clauses asked about; a case shares one through a charge of its accused or the
	// offence it was registered for.
	const w = `unnest(?::text[], ?::text[], ?::text[]) w(article, clause, point)`
	// Candidates share a clause (its token), or with no charge a word.
	var query string
	if len(q.Charges) > 0 {
		var tokens []string
		for _, c := range q.Charges {
			tokens = append(tokens, fmt.Sprintf("§c%s.%d", c.Article, c.Clause))
		}
		query = anyToken(tokens)
	} else {
		if q.Terms.Empty() {
			return nil, nil
		}
		query = "(" + q.Terms.Plain + ")"
	}
	cands, _, err := s.windowed(ctx, scope, now, query, "s.case_id <> ?::uuid", []any{exclude}, similarCandidates)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	type row struct {
		CaseID      string
		Number      string
		Code        string
		UnitID      int64
		Stage       string
		Summary     string
		ReceivedAt  time.Time
		SameCharges string // space-separated article:clause
		SamePoints  string // space-separated article:clause:point
		TextScore   float64
		Outcome     string
		Score       float64
	}
	rank := `WITH cand AS (SELECT c.id AS case_id, c.received_at, c.stage,
				ARRAY(SELECT DISTINCT x FROM (
					SELECT ch.article || ':' || ch.clause AS x FROM accused a JOIN charges ch ON ch.accused_id = a.id
						JOIN ` + w + ` ON w.article = ch.article AND w.clause::int = ch.clause WHERE a.case_id = c.id
					UNION SELECT c.offence_article || ':' || c.offence_clause WHERE EXISTS (SELECT 1 FROM ` + w + `
						WHERE c.offence_article::text = w.article AND c.offence_clause = w.clause::int)) sx ORDER BY 1) AS same,
				ARRAY(SELECT DISTINCT ch.article || ':' || ch.clause || ':' || ch.point FROM accused a JOIN charges ch ON ch.accused_id = a.id
					JOIN ` + w + ` ON w.article = ch.article AND w.clause::int = ch.clause AND w.point = ch.point
					WHERE a.case_id = c.id AND ch.point <> '' ORDER BY 1) AS points,
				similarity(lower(f_unaccent(c.summary)), lower(f_unaccent(?))) AS text_score
			FROM cases c WHERE c.id = ANY(?::uuid[])),
		best AS (SELECT cand.*, 2 * cardinality(cand.same) + cardinality(cand.points) + 3 * cand.text_score
				+ CASE WHEN cand.stage IN ('closed', 'terminated', 'execution', 'appeal', 'cassation') THEN 0.5 ELSE 0 END AS score
			FROM cand ORDER BY score DESC, cand.received_at DESC, cand.case_id LIMIT ?)
		SELECT c.id AS case_id, c.number, c.code, c.unit_id, c.stage, c.summary, c.received_at,
			array_to_string(best.same, ' ') AS same_charges, array_to_string(best.points, ' ') AS same_points, best.text_score, best.score,
			coalesce((SELECT d.step FROM case_decisions d WHERE d.case_id = c.id ORDER BY d.seq DESC LIMIT 1), '') AS outcome
		FROM best JOIN cases c ON c.id = best.case_id ORDER BY best.score DESC, best.received_at DESC, best.case_id`
	args := []any{articles, clauses, points, articles, clauses, points, articles, clauses, points, q.Text, candidateIDs(cands), q.Limit}
	var rows []row
	if err := s.conn(ctx).Raw(rank, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "vụ án tương tự")
	}
	out := make([]domain.SimilarCase, len(rows))
	for i, r := range rows {
		out[i] = domain.SimilarCase{CaseID: r.CaseID, Number: r.Number, Code: r.Code, UnitID: r.UnitID, Stage: domain.Stage(r.Stage), Summary: r.Summary,
			ReceivedAt: r.ReceivedAt, SameCharges: strings.Fields(r.SameCharges), SamePoints: strings.Fields(r.SamePoints), TextScore: r.TextScore,
			Outcome: r.Outcome, Score: r.Score}
	}
	return out, nil
}

// CaseCharges are the standing and past charges of a case's accused, with the offence it was
// registered for when no accused is charged yet.
func (s *Store) CaseCharges(ctx context.Context, caseID string) ([]domain.ChargeRef, error) {
	var rows []domain.ChargeRef
	if err := s.conn(ctx).Raw(`SELECT DISTINCT ch.article, ch.clause, ch.point FROM accused a JOIN charges ch ON ch.accused_id = a.id
		WHERE a.case_id = ? AND a.status <> 'cancelled' AND ch.ended_by IS NULL ORDER BY 1, 2, 3`, caseID).Scan(&rows).Error; err != nil {
		return nil, translate(err, "tội danh")
	}
	if len(rows) > 0 {
		return rows, nil
	}
	if err := s.conn(ctx).Raw(`SELECT offence_article::text AS article, coalesce(offence_clause, 0) AS clause, offence_point AS point
		FROM cases WHERE id = ? AND offence_article IS NOT NULL`, caseID).Scan(&rows).Error; err != nil {
		return nil, translate(err, "tội danh")
	}
	return rows, nil
}

// PendingTexts lists document versions whose text has not been read yet, oldest first.
func (s *Store) PendingTexts(ctx context.Context, limit int) ([]domain.PendingText, error) {
	var rows []domain.PendingText
	err := s.conn(ctx).Raw(`SELECT v.id AS version_id, v.document_id, d.case_id, v.object_key, v.content_type, v.file_name, v.size
		FROM case_document_versions v JOIN case_documents d ON d.id = v.document_id
		WHERE NOT EXISTS (SELECT 1 FROM case_document_texts t WHERE t.version_id = v.id)
		ORDER BY v.uploaded_at, v.id LIMIT ?`, limit).Scan(&rows).Error
	return rows, translate(err, "văn bản")
}

// SaveDocumentText keeps the text read from a version (at most once: a second reader's row is
// ignored). The document's title is searched with its text.
func (s *Store) SaveDocumentText(ctx context.Context, t domain.DocumentText) error {
	err := s.conn(ctx).Exec(`INSERT INTO case_document_texts (version_id, document_id, case_id, status, detail, body, extracted_at)
		SELECT ?, ?, ?, ?, ?, d.title || E'\n\n' || ?, ? FROM case_documents d WHERE d.id = ?
		ON CONFLICT (version_id) DO NOTHING`, t.VersionID, t.DocumentID, t.CaseID, t.Status, t.Detail, t.Body, t.At, t.DocumentID).Error
	return translate(err, "văn bản")
}

// DocumentTextOf returns the text row of a version, or not found.
func (s *Store) DocumentTextOf(ctx context.Context, versionID string) (domain.DocumentText, error) {
	var rows []domain.DocumentText
	err := s.conn(ctx).Raw(`SELECT version_id, document_id, case_id, status, detail, body, extracted_at AS at FROM case_document_texts WHERE version_id = ?`,
		versionID).Scan(&rows).Error
	if err != nil {
		return domain.DocumentText{}, translate(err, "văn bản")
	}
	if len(rows) == 0 {
		return domain.DocumentText{}, domain.NotFound("văn bản")
	}
	return rows[0], nil
}

type assistantRow struct {
	ID         string
	UserID     string
	AskedAt    time.Time
	Question   string
	CaseID     *string
	Language   string
	Intent     string
	Answered   bool
	Answer     string
	Citations  []byte
	Confidence float64
	Phrased    bool
}

// InsertAssistantAnswer keeps a question and its answer in the asker's history.
func (s *Store) InsertAssistantAnswer(ctx context.Context, a domain.AssistantAnswer) error {
	cites, err := json.Marshal(a.Citations)
	if err != nil {
		return err
	}
	var caseID *string
	if a.CaseID != "" {
		caseID = &a.CaseID
	}
	return translate(s.conn(ctx).Exec(`INSERT INTO assistant_questions (id, user_id, asked_at, question, case_id, language, intent, answered, answer, citations, confidence, phrased)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)`, a.ID, a.UserID, a.AskedAt, a.Question, caseID, a.Language, a.Intent, a.Answered, a.Answer,
		string(cites), a.Confidence, a.Phrased).Error, "câu hỏi")
}

// AssistantHistory is a user's questions, newest first, with the total.
func (s *Store) AssistantHistory(ctx context.Context, userID string, limit, offset int) ([]domain.AssistantAnswer, int64, error) {
	var total int64
	if err := s.conn(ctx).Raw(`SELECT count(*) FROM assistant_questions WHERE user_id = ?`, userID).Scan(&total).Error; err != nil {
		return nil, 0, translate(err, "câu hỏi")
	}
	var rows []assistantRow
	if err := s.conn(ctx).Raw(`SELECT id, user_id, asked_at, question, case_id, language, intent, answered, answer, citations, confidence, phrased
		FROM assistant_questions WHERE user_id = ? ORDER BY asked_at DESC, id DESC LIMIT ? OFFSET ?`, userID, limit, offset).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, "câu hỏi")
	}
	out := make([]domain.AssistantAnswer, len(rows))
	for i, r := range rows {
		a := domain.AssistantAnswer{ID: r.ID, UserID: r.UserID, AskedAt: r.AskedAt, Question: r.Question, Language: r.Language, Intent: r.Intent,
			Answered: r.Answered, Answer: r.Answer, Confidence: r.Confidence, Phrased: r.Phrased}
		if r.CaseID != nil {
			a.CaseID = *r.CaseID
		}
		if err := json.Unmarshal(r.Citations, &a.Citations); err != nil {
			return nil, 0, fmt.Errorf("citations of %s: %w", r.ID, err)
		}
		out[i] = a
	}
	return out, total, nil
}
