package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kiemsat/domain"
	"kiemsat/service/seed"
)

// The case-file commands on a folder store: verify-files passes on a sound store and exits 1 on a
// changed object; sweep-files removes an upload never committed once its grace period is over, and
// nothing a version points at.
func TestFileCommands(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	units, err := seed.Org(ctx, e.store, e.store, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	kv1 := units[seed.RegionalCode("HNI", 1)]
	e.addUser(t, "kv1.ksv", kv1, domain.RoleProsecutor)
	user := e.addUser(t, "kv1.thuky", kv1, domain.RoleClerk)
	e.addUser(t, "kv1.vientruong", kv1, domain.RoleChief)
	dir := t.TempDir()
	t.Setenv("DATABASE_URL", e.url)
	t.Setenv("KIEMSAT_FILES_DIR", dir)
	t.Setenv("KIEMSAT_UPLOAD_GRACE", "1h")
	if err := runGen(ctx, []string{"--cases", "3", "--seed", "7"}); err != nil {
		t.Fatal(err)
	}
	var caseID string
	if err := e.pool.QueryRow(ctx, `SELECT id::text FROM cases LIMIT 1`).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	// A stored version, as an upload leaves it: the object under its key, the rows pointing at it.
	const docID, verID = "01a20000-0000-7000-8000-000000000001", "01a20000-0000-7000-8000-000000000002"
	key := "cases/" + caseID + "/" + docID + "/" + verID
	data := []byte("%PDF-1.7\nbiên bản\n")
	sum := sha256.Sum256(data)
	write := func(key string, b []byte) {
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(key, data)
	if _, err := e.pool.Exec(ctx, `INSERT INTO case_documents (id, case_id, seq, section, title, classification, created_by, created_at, current_version)
		VALUES ($1, $2, 1, 'evidence', 'Biên bản', 'normal', $3, now(), 1)`, docID, caseID, user); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(ctx, `INSERT INTO case_document_versions (id, document_id, n, object_key, size, sha256, content_type, uploaded_by, uploaded_at)
		VALUES ($1, $2, 1, $3, $4, $5, 'application/pdf', $6, now())`, verID, docID, key, len(data), hex.EncodeToString(sum[:]), user); err != nil {
		t.Fatal(err)
	}
	if err := runVerifyFiles(ctx, nil); err != nil {
		t.Fatalf("verify-files on a sound store: %v", err)
	}

	// An upload that died two hours ago, and one still in flight.
	stale, fresh := "cases/"+caseID+"/"+docID+"/01a20000-0000-7000-8000-000000000003", "cases/"+caseID+"/"+docID+"/01a20000-0000-7000-8000-000000000004"
	for k, at := range map[string]time.Time{stale: time.Now().Add(-2 * time.Hour), fresh: time.Now()} {
		write(k, []byte("%PDF- part"))
		if _, err := e.pool.Exec(ctx, `INSERT INTO object_uploads (object_key, case_id, started_at) VALUES ($1, $2, $3)`, k, caseID, at); err != nil {
			t.Fatal(err)
		}
	}
	var code exitCodeError
	if err := runVerifyFiles(ctx, []string{"--case", caseID}); !errors.As(err, &code) || code != 1 {
		t.Fatalf("verify-files with two unreferenced objects: %v, want exit 1", err)
	}
	if err := runSweepFiles(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{stale: false, fresh: true, key: true} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(k))); (err == nil) != want {
			t.Errorf("after the sweep %s exists = %v, want %v", k, err == nil, want)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM object_uploads`); n != 1 {
		t.Errorf("%d uploads in flight after the sweep, want the fresh one", n)
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(fresh))); err != nil {
		t.Fatal(err)
	}
	// A changed byte is caught.
	write(key, append([]byte("%PDF-1.7\nbiên bảN"), '\n'))
	if err := runVerifyFiles(ctx, []string{"--json"}); !errors.As(err, &code) || code != 1 {
		t.Fatalf("verify-files after a change: %v, want exit 1", err)
	}
}
