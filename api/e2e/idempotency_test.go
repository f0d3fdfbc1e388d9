package e2e_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"

	"kiemsat/service/seed"
)

// POSTs with an Idempotency-Key: a retry returns the first answer and creates nothing; the same key
// with another body is a 422; concurrent retries create one record; keys are per user; a key
// expires.
func TestIdempotentPosts(t *testing.T) {
	e := newEnv(t)
	clerk := e.login("hnkv1.thuky").AccessToken
	kv1 := e.units[seed.RegionalCode("HNI", 1)].ID
	body := e.validCase(kv1)
	post := func(token, key string, b any) response {
		return e.send(req{Method: "POST", Path: v1 + "/cases", Token: token, Body: b, Header: map[string]string{"Idempotency-Key": key}})
	}
	cases := func() int { return e.count(`SELECT count(*) FROM cases`) }
	before := cases()

	first := post(clerk, "dang-ky-0001", body)
	if first.Status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	again := post(clerk, "dang-ky-0001", body)
	if again.Status != http.StatusCreated || !bytes.Equal(again.Body, first.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
		again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("retry: %d %v %s", again.Status, again.Header, again.Body)
	}
	if n := cases() - before; n != 1 {
		t.Fatalf("%d cases after a retry, want 1", n)
	}
	// The same key with another body.
	other := e.validCase(kv1)
	other["summary"] = "Một tố giác khác hẳn, cùng khóa."
	wantDetail(t, post(clerk, "dang-ky-0001", other), http.StatusUnprocessableEntity, "invalid", "Idempotency-Key", "reused")
	// Bad keys.
	wantDetail(t, post(clerk, "có dấu", body), http.StatusBadRequest, "bad_request", "Idempotency-Key", "format")
	// Keys are per user: another clerk's same key is a new request.
	other2 := e.login("hnkv2.thuky").AccessToken
	r := post(other2, "dang-ky-0001", e.validCase(e.units[seed.RegionalCode("HNI", 2)].ID))
	if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("another user's key: %d %v", r.Status, r.Header)
	}
	// A refused request is kept too: the retry is refused the same way without running again.
	bad := e.validCase(kv1)
	bad["received_at"] = e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
	r1, r2 := post(clerk, "dang-ky-0002", bad), post(clerk, "dang-ky-0002", bad)
	if r1.Status != http.StatusUnprocessableEntity || r2.Status != r1.Status || r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("refused and retried: %d, %d %v", r1.Status, r2.Status, r2.Header)
	}

	// Eight concurrent sends of one request: one case.
	before = cases()
	var wg sync.WaitGroup
	statuses := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- post(clerk, "dang-ky-0003", body).Status
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusCreated && st != http.StatusConflict {
			t.Errorf("a concurrent retry answered %d", st)
		}
	}
	if n := cases() - before; n != 1 {
		t.Fatalf("%d cases from eight concurrent sends of one key, want 1", n)
	}

	// After 24 hours the key is forgotten: the same key runs again.
	e.clock.Advance(25 * time.Hour)
	clerk = e.login("hnkv1.thuky").AccessToken
	before = cases()
	body["received_at"] = e.clock.Now().Add(-time.Hour).Format(time.RFC3339)
	if r := post(clerk, "dang-ky-0001", body); r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" || cases() != before+1 {
		t.Fatalf("an expired key: %d %v", r.Status, r.Header)
	}
}
