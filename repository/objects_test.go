package repository_test

import (
	"bytes"
	"context"
	"testing"

	"kiemsat/domain"
	"kiemsat/repository"
	"kiemsat/repository/miniotest"
	"kiemsat/repository/objecttest"
)

func TestDiskObjectsContract(t *testing.T) {
	store, err := repository.NewDiskObjects(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	objecttest.Run(t, store)
}

// The MinIO adapter passes the same contract against a real MinIO server, creating its bucket.
func TestMinioObjectsContract(t *testing.T) {
	srv := miniotest.Start(t)
	store, err := repository.OpenMinio(context.Background(), repository.MinioConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Bucket: "kiemsat-files", PartSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	objecttest.Run(t, store)
	// Opening again finds the bucket there.
	if _, err := repository.OpenMinio(context.Background(), repository.MinioConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Bucket: "kiemsat-files"}); err != nil {
		t.Fatal(err)
	}
}

// A MinIO server that stopped answers as unavailable (the API's 503), not as an internal error.
func TestMinioStoppedIsUnavailable(t *testing.T) {
	srv := miniotest.Start(t)
	store, err := repository.OpenMinio(context.Background(), repository.MinioConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Bucket: "kiemsat-files"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	_, err = store.Put(context.Background(), "cases/c1/x", bytes.NewReader([]byte("x")), 1, "text/plain")
	if domain.ErrorCodeOf(err) != domain.CodeUnavailable {
		t.Fatalf("put to a stopped server: %v", err)
	}
	if err := store.Ping(context.Background()); domain.ErrorCodeOf(err) != domain.CodeUnavailable {
		t.Fatalf("ping of a stopped server: %v", err)
	}
}
