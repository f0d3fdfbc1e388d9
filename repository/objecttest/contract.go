// Package objecttest is the contract every service.ObjectStore adapter passes: the same test run
// on the local-disk adapter and on MinIO, so `make run` without MinIO behaves as production does.
package objecttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
	"testing"

	"kiemsat/domain"
	"kiemsat/service"
)

// Run checks an adapter: round trips, ranges, streaming of an unknown length, not found, listing
// by prefix, deletion, refused keys and concurrent writers.
func Run(t *testing.T, store service.ObjectStore) {
	ctx := context.Background()
	t.Run("round trip", func(t *testing.T) {
		body := []byte("Quyết định khởi tố vụ án số 15/QĐ-CSĐT")
		info, err := store.Put(ctx, "cases/c1/f1/v1", bytes.NewReader(body), int64(len(body)), "text/plain; charset=utf-8")
		if err != nil || info.Size != int64(len(body)) || info.Key != "cases/c1/f1/v1" {
			t.Fatalf("put: %+v %v", info, err)
		}
		got := read(t, store, "cases/c1/f1/v1", 0, 0)
		if !bytes.Equal(got, body) {
			t.Fatalf("read back %q", got)
		}
		st, err := store.Stat(ctx, "cases/c1/f1/v1")
		if err != nil || st.Size != int64(len(body)) || st.ModTime.IsZero() {
			t.Fatalf("stat: %+v %v", st, err)
		}
	})
	t.Run("ranges", func(t *testing.T) {
		body := make([]byte, 1000)
		for i := range body {
			body[i] = byte(i % 251)
		}
		if _, err := store.Put(ctx, "cases/c1/ranges", bytes.NewReader(body), int64(len(body)), "application/octet-stream"); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct{ off, n int64 }{{0, 1}, {10, 90}, {999, 1}, {500, 0}, {0, 1000}} {
			want := body[r.off:]
			if r.n > 0 {
				want = body[r.off : r.off+r.n]
			}
			if got := read(t, store, "cases/c1/ranges", r.off, r.n); !bytes.Equal(got, want) {
				t.Errorf("range %d+%d: %d bytes, want %d", r.off, r.n, len(got), len(want))
			}
		}
		for _, r := range []struct{ off, n int64 }{{1001, 0}, {990, 20}, {-1, 5}} {
			rc, _, err := store.Get(ctx, "cases/c1/ranges", r.off, r.n)
			if rc != nil {
				rc.Close()
			}
			if domain.ErrorCodeOf(err) != domain.CodeInvalid {
				t.Errorf("range %d+%d beyond the object: %v", r.off, r.n, err)
			}
		}
	})
	t.Run("streamed, length unknown, larger than one part", func(t *testing.T) {
		const size = 20<<20 + 12345
		h := sha256.New()
		src := io.TeeReader(io.LimitReader(rand.Reader, size), h)
		info, err := store.Put(ctx, "cases/c1/big", struct{ io.Reader }{src}, -1, "application/pdf")
		if err != nil || info.Size != size {
			t.Fatalf("put streamed: %+v %v", info, err)
		}
		rc, _, err := store.Get(ctx, "cases/c1/big", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		h2 := sha256.New()
		if n, err := io.Copy(h2, rc); err != nil || n != size {
			t.Fatalf("read back %d bytes: %v", n, err)
		}
		if !bytes.Equal(h.Sum(nil), h2.Sum(nil)) {
			t.Fatal("the object read back differs from what was written")
		}
	})
	t.Run("not found", func(t *testing.T) {
		if _, err := store.Stat(ctx, "cases/none/x"); domain.ErrorCodeOf(err) != domain.CodeNotFound {
			t.Errorf("stat of a missing object: %v", err)
		}
		rc, _, err := store.Get(ctx, "cases/none/x", 0, 0)
		if rc != nil {
			rc.Close()
		}
		if domain.ErrorCodeOf(err) != domain.CodeNotFound {
			t.Errorf("get of a missing object: %v", err)
		}
	})
	t.Run("list by prefix, delete", func(t *testing.T) {
		for _, k := range []string{"list/a/1", "list/a/2", "list/b/1"} {
			if _, err := store.Put(ctx, k, bytes.NewReader([]byte(k)), int64(len(k)), "text/plain"); err != nil {
				t.Fatal(err)
			}
		}
		var keys []string
		if err := store.List(ctx, "list/a/", func(o service.ObjectInfo) error { keys = append(keys, o.Key); return nil }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(keys) != "[list/a/1 list/a/2]" {
			t.Fatalf("listed %v", keys)
		}
		if err := store.Delete(ctx, "list/a/1"); err != nil {
			t.Fatal(err)
		}
		if err := store.Delete(ctx, "list/a/1"); err != nil {
			t.Fatalf("deleting twice: %v", err)
		}
		if _, err := store.Stat(ctx, "list/a/1"); domain.ErrorCodeOf(err) != domain.CodeNotFound {
			t.Fatalf("deleted object still there: %v", err)
		}
		stop := fmt.Errorf("stop")
		n := 0
		if err := store.List(ctx, "list/", func(service.ObjectInfo) error { n++; return stop }); err != stop || n != 1 {
			t.Fatalf("stopping a listing: %v after %d", err, n)
		}
	})
	t.Run("keys that could name a path are refused", func(t *testing.T) {
		for _, k := range []string{"../etc/passwd", "/abs", "cases/../x", "Nguyễn Văn A.pdf", "", "a//b"} {
			if _, err := store.Put(ctx, k, bytes.NewReader([]byte("x")), 1, "text/plain"); domain.ErrorCodeOf(err) != domain.CodeInvalid {
				t.Errorf("key %q: %v", k, err)
			}
		}
	})
	t.Run("concurrent writers", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := bytes.Repeat([]byte{byte(i)}, 64<<10)
				if _, err := store.Put(ctx, fmt.Sprintf("conc/%d", i), bytes.NewReader(b), int64(len(b)), "application/octet-stream"); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i := range 8 {
			if got := read(t, store, fmt.Sprintf("conc/%d", i), 0, 0); !bytes.Equal(got, bytes.Repeat([]byte{byte(i)}, 64<<10)) {
				t.Errorf("object %d mixed up", i)
			}
		}
	})
}

func read(t *testing.T, store service.ObjectStore, key string, off, n int64) []byte {
	t.Helper()
	rc, _, err := store.Get(context.Background(), key, off, n)
	if err != nil {
		t.Fatalf("get %s %d+%d: %v", key, off, n, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
