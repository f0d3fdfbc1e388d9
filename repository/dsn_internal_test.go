package repository

import "testing"

func TestWithRuntimeDefaults(t *testing.T) {
	cases := map[string]string{
		"postgres://u@h:5432/db?sslmode=disable": "postgres://u@h:5432/db?jit=off&sslmode=disable",
		"postgres://u@h/db?jit=on":               "postgres://u@h/db?jit=on",
		"host=h dbname=db":                       "host=h dbname=db", // keyword form is left alone
	}
	for in, want := range cases {
		if got := withRuntimeDefaults(in); got != want {
			t.Errorf("withRuntimeDefaults(%q) = %q, want %q", in, got, want)
		}
	}
}
