package repository_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

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

// With MINIO_SSE=s3 every object is encrypted at rest by the server (SSE-S3, here with MinIO's
// single static KMS key); the adapter still passes the whole contract, and the server reports
// each object as encrypted.
func TestMinioServerSideEncryption(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	srv := miniotest.Start(t, "MINIO_KMS_SECRET_KEY=kiemsat-test-key:"+base64.StdEncoding.EncodeToString(key))
	store, err := repository.OpenMinio(context.Background(), repository.MinioConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Bucket: "kiemsat-files", PartSize: 5 << 20, SSE: true})
	if err != nil {
		t.Fatal(err)
	}
	objecttest.Run(t, store)
	for _, size := range []int{1000, 12 << 20} { // one request, and a streamed multipart upload
		data := bytes.Repeat([]byte("hồ sơ mật "), size/12+1)[:size]
		if _, err := store.Put(context.Background(), "cases/sse/"+strconv.Itoa(size), bytes.NewReader(data), -1, "text/plain"); err != nil {
			t.Fatal(err)
		}
		client, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, "")})
		if err != nil {
			t.Fatal(err)
		}
		info, err := client.StatObject(context.Background(), "kiemsat-files", "cases/sse/"+strconv.Itoa(size), minio.StatObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Metadata.Get("X-Amz-Server-Side-Encryption"); got != "AES256" {
			t.Fatalf("object of %d bytes: server-side encryption %q, want AES256", size, got)
		}
	}
}
