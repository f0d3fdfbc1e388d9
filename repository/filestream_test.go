package repository_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/miniotest"
	"kiemsat/service"
)

// storeStreamContract checks service.StoreStream on an adapter: the content type comes from the
// bytes, the hash and size are right, refused types and oversized files leave nothing stored.
func storeStreamContract(t *testing.T, store service.ObjectStore) {
	ctx := context.Background()
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 3<<20)...)
	_, _ = rand.Read(pdf[9:])
	sum := sha256.Sum256(pdf)
	got, err := service.StoreStream(ctx, store, "cases/c1/f1/v1", struct{ io.Reader }{bytes.NewReader(pdf)}, 10<<20)
	if err != nil || got.ContentType != "application/pdf" || got.Size != int64(len(pdf)) || got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("pdf: %+v %v", got, err)
	}
	if st, err := store.Stat(ctx, "cases/c1/f1/v1"); err != nil || st.Size != int64(len(pdf)) {
		t.Fatalf("stored pdf: %+v %v", st, err)
	}
	// An executable named like a PDF is refused before anything is stored.
	elf := append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 2000)...)
	if _, err := service.StoreStream(ctx, store, "cases/c1/f2/v1", bytes.NewReader(elf), 10<<20); domain.ErrorCodeOf(err) != domain.CodeInvalid {
		t.Fatalf("executable: %v", err)
	}
	if _, err := store.Stat(ctx, "cases/c1/f2/v1"); domain.ErrorCodeOf(err) != domain.CodeNotFound {
		t.Fatalf("a refused type left an object: %v", err)
	}
	if _, err := service.StoreStream(ctx, store, "cases/c1/f3/v1", bytes.NewReader(nil), 10<<20); domain.ErrorCodeOf(err) != domain.CodeInvalid {
		t.Fatalf("empty: %v", err)
	}
	// One byte over the limit: 413, and the partial object is gone.
	big := append([]byte("%PDF-1.4\n"), make([]byte, 1<<20)...)
	if _, err := service.StoreStream(ctx, store, "cases/c1/f4/v1", bytes.NewReader(big), int64(len(big)-1)); domain.ErrorCodeOf(err) != domain.CodePayloadTooLarge {
		t.Fatalf("oversized: %v", err)
	}
	if _, err := store.Stat(ctx, "cases/c1/f4/v1"); domain.ErrorCodeOf(err) != domain.CodeNotFound {
		t.Fatalf("an oversized upload left an object: %v", err)
	}
	// Exactly the limit is accepted.
	if got, err := service.StoreStream(ctx, store, "cases/c1/f5/v1", bytes.NewReader(big), int64(len(big))); err != nil || got.Size != int64(len(big)) {
		t.Fatalf("at the limit: %+v %v", got, err)
	}
}

func TestStoreStreamOnDisk(t *testing.T) {
	store, err := repository.NewDiskObjects(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	storeStreamContract(t, store)
}

func TestStoreStreamOnMinio(t *testing.T) {
	srv := miniotest.Start(t)
	store, err := repository.OpenMinio(context.Background(), repository.MinioConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Bucket: "kiemsat-files", PartSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	storeStreamContract(t, store)
}
