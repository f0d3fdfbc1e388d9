package pgtest

import "testing"

func TestWithDatabase(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/kiemsat_t_1?sslmode=disable"},
		{"postgres://u:p@localhost/", "postgres://u:p@localhost/kiemsat_t_1"},
		{"host=127.0.0.1 dbname=postgres", "host=127.0.0.1 dbname=postgres dbname=kiemsat_t_1"},
	} {
		got, err := withDatabase(tc.base, "kiemsat_t_1")
		if err != nil || got != tc.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
		}
	}
}

func TestTemplateNameIsStable(t *testing.T) {
	a, b := TemplateName(), TemplateName()
	if a != b || len(a) != len(templatePrefix)+12 {
		t.Errorf("TemplateName() = %q then %q", a, b)
	}
}
