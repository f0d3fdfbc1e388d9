package repository

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"

	"kiemsat/domain"
	"kiemsat/service"
)

// MinioConfig says where the S3-compatible object server is.
type MinioConfig struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Bucket    string
	UseTLS    bool
	Region    string
	// PartSize and StreamThreads bound the memory a streamed upload of unknown size takes:
	// minio-go buffers StreamThreads parts of PartSize, reading the next while sending the last.
	// 8 MiB and 2 when zero (measured: the API then moves a 1 GiB upload at about 0.9 of
	// minio-go's direct PutObject, see api/bench/files).
	PartSize      uint64
	StreamThreads int
	// SSE asks the server to encrypt objects at rest with its own keys (SSE-S3); the server must
	// have a KMS configured, so it is off unless MINIO_SSE=s3.
	SSE bool
}

// MinioObjects keeps objects in a bucket of an S3-compatible server through minio-go. It uses only
// the S3 API (no MinIO administration calls), so any S3-compatible server works.
type MinioObjects struct {
	client  *minio.Client
	bucket  string
	part    uint64
	threads int
	sse     encrypt.ServerSide
}

// OpenMinio connects and creates the bucket when it is missing.
func OpenMinio(ctx context.Context, c MinioConfig) (*MinioObjects, error) {
	client, err := minio.New(c.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""), Secure: c.UseTLS, Region: c.Region})
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", c.Endpoint, err)
	}
	m := &MinioObjects{client: client, bucket: c.Bucket, part: c.PartSize}
	if m.part == 0 {
		m.part = 8 << 20
	}
	if m.threads = c.StreamThreads; m.threads == 0 {
		m.threads = 2
	}
	if c.SSE {
		m.sse = encrypt.NewSSE()
	}
	// A server starting beside us (compose, a restart) answers "not initialized" for a while:
	// wait for it up to 30 seconds rather than failing the start.
	var ok bool
	for wait, start := 200*time.Millisecond, time.Now(); ; wait *= 2 {
		ok, err = client.BucketExists(ctx, c.Bucket)
		if err == nil || domain.ErrorCodeOf(m.translate(err, "")) != domain.CodeUnavailable || time.Since(start) > 30*time.Second {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(wait, 2*time.Second)):
		}
	}
	if err != nil {
		return nil, m.translate(err, "")
	}
	if !ok {
		if err := client.MakeBucket(ctx, c.Bucket, minio.MakeBucketOptions{Region: c.Region}); err != nil {
			// Another instance may have created it meanwhile.
			if exists, e2 := client.BucketExists(ctx, c.Bucket); e2 != nil || !exists {
				return nil, m.translate(err, "")
			}
		}
	}
	return m, nil
}

// translate turns minio-go errors into domain errors: a missing object is not found, a server
// that cannot be reached is unavailable (the API answers 503), the rest stays internal.
func (m *MinioObjects) translate(err error, key string) error {
	if err == nil {
		return nil
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch resp.Code {
		case "NoSuchKey", "NotFound":
			return domain.NotFound("tệp")
		case "InvalidRange":
			return domain.Invalid("range", "out_of_range", "khoảng byte vượt quá kích thước tệp")
		}
		if resp.StatusCode == 503 {
			return &domain.Error{Code: domain.CodeUnavailable, Message: "kho lưu trữ tệp tạm thời không sẵn sàng", Err: err}
		}
	}
	var netErr net.Error
	var opErr *net.OpError
	if errors.As(err, &opErr) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return &domain.Error{Code: domain.CodeUnavailable, Message: "kho lưu trữ tệp tạm thời không sẵn sàng", Err: err}
	}
	if key != "" {
		return fmt.Errorf("object %s: %w", key, err)
	}
	return err
}

// Put streams r to the bucket: a known size goes in one request or in parts, an unknown one in
// parts of PartSize, one buffered at a time.
func (m *MinioObjects) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (service.ObjectInfo, error) {
	if err := checkObjectKey(key); err != nil {
		return service.ObjectInfo{}, err
	}
	opts := minio.PutObjectOptions{ContentType: contentType, PartSize: m.part, ServerSideEncryption: m.sse}
	if size < 0 && m.threads > 1 {
		// A stream of unknown length: the next part is read while the last one is sent, so a
		// slow sender and the store take turns less. Memory: threads × PartSize per upload.
		opts.ConcurrentStreamParts, opts.NumThreads = true, uint(m.threads)
	}
	info, err := m.client.PutObject(ctx, m.bucket, key, r, size, opts)
	if err != nil {
		return service.ObjectInfo{}, m.translate(err, key)
	}
	return service.ObjectInfo{Key: key, Size: info.Size, ModTime: info.LastModified}, nil
}

// Get opens the object, or n bytes of it from off.
func (m *MinioObjects) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, service.ObjectInfo, error) {
	info, err := m.Stat(ctx, key)
	if err != nil {
		return nil, service.ObjectInfo{}, err
	}
	if off < 0 || off > info.Size || (n > 0 && off+n > info.Size) {
		return nil, info, domain.Invalid("range", "out_of_range", "khoảng byte vượt quá kích thước tệp")
	}
	opts := minio.GetObjectOptions{}
	if n > 0 {
		if err := opts.SetRange(off, off+n-1); err != nil {
			return nil, info, err
		}
	} else if off > 0 && off < info.Size {
		if err := opts.SetRange(off, 0); err != nil {
			return nil, info, err
		}
	}
	if off == info.Size && n <= 0 {
		return io.NopCloser(eofReader{}), info, nil
	}
	obj, err := m.client.GetObject(ctx, m.bucket, key, opts)
	if err != nil {
		return nil, info, m.translate(err, key)
	}
	return obj, info, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// Stat describes the object.
func (m *MinioObjects) Stat(ctx context.Context, key string) (service.ObjectInfo, error) {
	if err := checkObjectKey(key); err != nil {
		return service.ObjectInfo{}, err
	}
	st, err := m.client.StatObject(ctx, m.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return service.ObjectInfo{}, m.translate(err, key)
	}
	return service.ObjectInfo{Key: key, Size: st.Size, ModTime: st.LastModified}, nil
}

// Delete removes the object; S3 answers a missing one with success too.
func (m *MinioObjects) Delete(ctx context.Context, key string) error {
	if err := checkObjectKey(key); err != nil {
		return err
	}
	return m.translate(m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{}), key)
}

// List calls fn for each object under prefix, in key order (S3 lists in key order).
func (m *MinioObjects) List(ctx context.Context, prefix string, fn func(service.ObjectInfo) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn stops early
	for o := range m.client.ListObjects(ctx, m.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return m.translate(o.Err, "")
		}
		if err := fn(service.ObjectInfo{Key: o.Key, Size: o.Size, ModTime: o.LastModified}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Ping checks that the bucket answers within a short time, for /readyz.
func (m *MinioObjects) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err := m.client.BucketExists(ctx, m.bucket)
	return m.translate(err, "")
}

// PresignGet issues a link that reads the object straight from the server until ttl passes,
// served under fileName with contentType.
func (m *MinioObjects) PresignGet(ctx context.Context, key string, ttl time.Duration, fileName, contentType string) (string, error) {
	if err := checkObjectKey(key); err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("response-content-disposition", `attachment; filename="`+fileName+`"`)
	q.Set("response-content-type", contentType)
	u, err := m.client.PresignedGetObject(ctx, m.bucket, key, ttl, q)
	if err != nil {
		return "", m.translate(err, key)
	}
	return u.String(), nil
}
