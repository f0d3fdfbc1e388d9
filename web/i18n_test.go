package web

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every key a template or handler names is in the catalog with a Vietnamese and an English text,
// and the Vietnamese texts are written with diacritics (a text of only ASCII letters is suspect).
func TestMessageCatalogComplete(t *testing.T) {
	used := map[string]string{}
	keyInTemplate := regexp.MustCompile(`\bt "([a-z_]+\.[a-z_.]+)"`)
	prefixInTemplate := regexp.MustCompile(`t \(printf "([a-z_]+\.)%s"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyInTemplate.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
		for _, m := range prefixInTemplate.FindAllStringSubmatch(string(b), -1) {
			found := false
			for k := range messages {
				if strings.HasPrefix(k, m[1]) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no message starts with %q", f, m[1])
			}
		}
	}
	keyInGo := regexp.MustCompile(`(?:tr\([^,()]+(?:\([^)]*\))?, |Title: |errorPage\([^)]*?, )"([a-z_]+\.[a-z_.]+)"`)
	gofiles, err := fs.Glob(os.DirFS("."), "*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range gofiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyInGo.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
	}
	if len(used) < 100 {
		t.Fatalf("only %d keys found in use: the scan is broken", len(used))
	}
	for k, where := range used {
		m, ok := messages[k]
		if !ok {
			t.Errorf("%s uses %q, which is not in the catalog", where, k)
			continue
		}
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("%q has an empty text: %q", k, m)
		}
	}
	// A Vietnamese sentence of three words or more without a single letter outside ASCII was
	// almost surely typed without its diacritics.
	for k, m := range messages {
		vi := m[0]
		if len(strings.Fields(vi)) >= 3 && utf8.RuneCountInString(vi) == len(vi) && !strings.Contains(vi, "%") {
			t.Errorf("%q: the Vietnamese text %q has no diacritics", k, vi)
		}
	}
}

// Every page template parses in both languages, and each names its content.
func TestPagesParse(t *testing.T) {
	sets, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []Lang{LangVI, LangEN} {
		for _, name := range []string{"login", "home", "cases", "case", "register", "dashboard", "error", "password", "search", "assistant"} {
			if sets[lang].pages[name] == nil {
				t.Errorf("%s: no page %q", lang, name)
			}
		}
	}
}
