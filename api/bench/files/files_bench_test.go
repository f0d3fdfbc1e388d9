// Package files_test measures case-file transfers end to end: a large file uploaded and downloaded
// through the whole API (multipart parsing, type sniffing, SHA-256, authorization, audit, minio-go)
// into a real MinIO server, beside the same bytes moved by minio-go's PutObject and GetObject
// directly, in the same run, so the ratio shows what the platform costs. It also records how much
// this process's peak resident memory grew during the API transfers (the peak is reset first), to
// show that nothing holds a file in memory. The client side of the API transfer is in the same
// process and streams too, so the figure bounds the server's growth from above.
//
//	BENCH_FILE_SIZE=1073741824 MINIO_BIN=... TEST_DATABASE_URL=... go test -run '^$' -bench . ./api/bench/files/
package files_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"kiemsat/api"
	"kiemsat/repository"
	"kiemsat/repository/miniotest"
	"kiemsat/repository/pgtest"
	"kiemsat/service"
	"kiemsat/service/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const benchPassword = "Bench@2026"

// fileSize is BENCH_FILE_SIZE bytes, 1 GiB by default.
func fileSize(b *testing.B) int64 {
	n := int64(1 << 30)
	if v := os.Getenv("BENCH_FILE_SIZE"); v != "" {
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil || n < 1<<20 {
			b.Fatalf("BENCH_FILE_SIZE=%q: want at least 1048576", v)
		}
	}
	return n
}

// pattern is an endless PDF-looking stream cut at n bytes, made without holding it: a 64 KiB block
// repeated.
type pattern struct {
	block []byte
	n     int64
	off   int64
}

func newPattern(n int64) *pattern {
	block := make([]byte, 64<<10)
	_, _ = rand.Read(block)
	copy(block, "%PDF-1.7\n")
	return &pattern{block: block, n: n}
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := 0
	for k < len(b) && p.off < p.n {
		i := p.off % int64(len(p.block))
		c := copy(b[k:], p.block[i:min(int64(len(p.block)), i+(p.n-p.off))])
		k += c
		p.off += int64(c)
	}
	return k, nil
}

// peakRSS reads this process's peak and current resident set in bytes (Linux).
func peakRSS() (peak, cur int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmHWM:":
			peak = v << 10
		case "VmRSS:":
			cur = v << 10
		}
	}
	return peak, cur
}

// resetPeakRSS makes the kernel start the peak over from the current resident set.
func resetPeakRSS() bool { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil }

type fileEnv struct {
	url     string
	token   string
	caseID  string
	client  *minio.Client
	bucket  string
	objects *repository.MinioObjects
}

func setup(b *testing.B) *fileEnv {
	b.Helper()
	ctx := context.Background()
	srv := miniotest.Start(b)
	objects, err := repository.OpenMinio(ctx, repository.MinioConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
		Bucket: "kiemsat-files"})
	if err != nil {
		b.Fatal(err)
	}
	client, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, "")})
	if err != nil {
		b.Fatal(err)
	}
	if err := client.MakeBucket(ctx, "direct", minio.MakeBucketOptions{}); err != nil {
		b.Fatal(err)
	}
	store, err := repository.Open(ctx, pgtest.URL(), repository.Options{MaxOpenConns: 8})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy, err := repository.NewPolicy(ctx, store, log, 0)
	if err != nil {
		b.Fatal(err)
	}
	hasher := service.PasswordHasher{Params: service.Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	jwt := api.NewJWT(key, "kiemsat", "kiemsat-api", 24*time.Hour, time.Now)
	svc, err := service.NewServices(store, service.Config{Auth: service.DefaultAuthConfig, Policy: policy, Tokens: jwt, Hasher: hasher,
		Clock: service.SystemClock{}, Objects: objects, Files: service.FilesConfig{MaxSize: 4 << 30, Signer: service.NewManifestSigner(key)}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := seed.Demo(ctx, seed.DepsOf(store, svc, hasher, service.SystemClock{}), benchPassword, false); err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(api.NewServer(api.Deps{Log: log, JWT: jwt, Services: svc, Auditor: store,
		Ready: func(context.Context) error { return nil }, Version: "bench"}).Handler())
	b.Cleanup(hs.Close)
	e := &fileEnv{url: hs.URL, client: client, bucket: "direct", objects: objects}
	res, err := http.Post(hs.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"username":"hnkv1.thuky","password":%q}`, benchPassword)))
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	e.token = tok.AccessToken
	if err := store.SQL().QueryRowContext(ctx, `SELECT c.id::text FROM cases c JOIN units u ON u.id = c.unit_id
		WHERE u.code = $1 AND NOT c.secret LIMIT 1`, seed.RegionalCode("HNI", 1)).Scan(&e.caseID); err != nil {
		b.Fatal(err)
	}
	return e
}

// uploadAPI streams size bytes through POST /cases/{id}/files as a chunked multipart form and
// returns the document id.
func (e *fileEnv) uploadAPI(b *testing.B, size int64) string {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("section", "evidence")
		_ = mw.WriteField("title", "Video camera an ninh")
		fw, _ := mw.CreateFormFile("file", "video.pdf")
		if _, err := io.Copy(fw, newPattern(size)); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/api/v1/cases/"+e.caseID+"/files", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		b.Fatalf("upload: %d %s", res.StatusCode, body)
	}
	var doc struct {
		ID       string `json:"id"`
		Versions []struct {
			Size int64 `json:"size"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Versions) != 1 || doc.Versions[0].Size != size {
		b.Fatalf("upload answered %s", body)
	}
	return doc.ID
}

func (e *fileEnv) downloadAPI(b *testing.B, docID string, size int64) {
	req, _ := http.NewRequest(http.MethodGet, e.url+"/api/v1/files/"+docID+"/content", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil || res.StatusCode != http.StatusOK || n != size {
		b.Fatalf("download: %d, %d bytes, %v", res.StatusCode, n, err)
	}
}

func (e *fileEnv) putDirect(b *testing.B, key string, size int64) {
	if _, err := e.client.PutObject(context.Background(), e.bucket, key, newPattern(size), size,
		minio.PutObjectOptions{ContentType: "application/pdf", PartSize: 16 << 20}); err != nil {
		b.Fatal(err)
	}
}

func (e *fileEnv) getDirect(b *testing.B, key string, size int64) {
	obj, err := e.client.GetObject(context.Background(), e.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer obj.Close()
	if n, err := io.Copy(io.Discard, obj); err != nil || n != size {
		b.Fatalf("direct get: %d bytes, %v", n, err)
	}
}

// BenchmarkFileTransfer uploads and downloads the same size through the API and through minio-go
// directly, alternating, and reports each path's throughput, the API's share of the direct one,
// and the growth of the peak resident set during the API transfers.
func BenchmarkFileTransfer(b *testing.B) {
	e := setup(b)
	size := fileSize(b)
	var upAPI, upDirect, downAPI, downDirect time.Duration
	var growth int64
	canReset := resetPeakRSS()
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key := "bench/" + strconv.Itoa(i)
		start := time.Now()
		e.putDirect(b, key, size)
		upDirect += time.Since(start)
		start = time.Now()
		e.getDirect(b, key, size)
		downDirect += time.Since(start)

		// The peak is measured over the API transfers only.
		_, base := peakRSS()
		resetPeakRSS()
		start = time.Now()
		docID := e.uploadAPI(b, size)
		upAPI += time.Since(start)
		start = time.Now()
		e.downloadAPI(b, docID, size)
		downAPI += time.Since(start)
		peak, _ := peakRSS()
		growth = max(growth, peak-base)

		_ = e.client.RemoveObject(context.Background(), e.bucket, key, minio.RemoveObjectOptions{})
	}
	b.StopTimer()
	mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / (1 << 20) }
	b.ReportMetric(mbps(upAPI), "upload-api-MiB/s")
	b.ReportMetric(mbps(upDirect), "upload-direct-MiB/s")
	b.ReportMetric(upDirect.Seconds()/upAPI.Seconds(), "upload-ratio")
	b.ReportMetric(mbps(downAPI), "download-api-MiB/s")
	b.ReportMetric(mbps(downDirect), "download-direct-MiB/s")
	b.ReportMetric(downDirect.Seconds()/downAPI.Seconds(), "download-ratio")
	if canReset {
		b.ReportMetric(float64(growth)/(1<<20), "peak-rss-growth-MiB")
	}
}
