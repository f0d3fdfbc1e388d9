package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// loadOptions are the flags of kiemsat load.
type loadOptions struct {
	URL         string
	User        string
	Password    string
	Concurrency int
	Requests    int
	Duration    time.Duration
	Path        string
}

// loadReport is what a load run measured.
type loadReport struct {
	Count     int // requests completed (any status)
	Errors    int // transport errors and non-2xx answers
	Refreshes int // token refreshes (or re-logins) during the run
	Status    map[int]int
	Elapsed   time.Duration
	Latencies []time.Duration // sorted
}

func (r loadReport) percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(p * float64(len(r.Latencies)-1))
	return r.Latencies[i]
}

func (r loadReport) print(w io.Writer) {
	fmt.Fprintf(w, "requests   %d in %s (%.1f req/s)\n", r.Count, r.Elapsed.Round(time.Millisecond), float64(r.Count)/r.Elapsed.Seconds())
	fmt.Fprintf(w, "errors     %d\n", r.Errors)
	codes := make([]int, 0, len(r.Status))
	for c := range r.Status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "  HTTP %d  %d\n", c, r.Status[c])
	}
	fmt.Fprintf(w, "refreshes  %d\n", r.Refreshes)
	fmt.Fprintf(w, "latency    p50 %s  p90 %s  p99 %s  max %s\n", r.percentile(0.50).Round(time.Microsecond), r.percentile(0.90).Round(time.Microsecond),
		r.percentile(0.99).Round(time.Microsecond), r.percentile(1).Round(time.Microsecond))
}

// runLoad measures the latency of one GET endpoint under concurrent clients. It only ever
// targets this machine: a URL whose host is not a loopback address is refused.
func runLoad(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var o loadOptions
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "base URL of the API (loopback only)")
	fs.StringVar(&o.User, "user", "hn.vientruong", "login name")
	fs.StringVar(&o.Password, "password", "", "password (default: $KIEMSAT_LOAD_PASSWORD, else $KIEMSAT_DEMO_PASSWORD, else the demo default)")
	fs.IntVar(&o.Concurrency, "concurrency", 32, "concurrent clients")
	fs.IntVar(&o.Requests, "requests", 5000, "total requests")
	fs.DurationVar(&o.Duration, "duration", time.Minute, "stop after this long even if requests remain")
	fs.StringVar(&o.Path, "path", "/api/v1/cases?limit=50", "path and query to GET")
	if err := fs.Parse(args); err != nil {
		return exitCodeError(2)
	}
	if o.Password == "" {
		o.Password = os.Getenv("KIEMSAT_LOAD_PASSWORD")
	}
	if o.Password == "" {
		o.Password = env("KIEMSAT_DEMO_PASSWORD", "KiemSat@2026")
	}
	rep, err := loadTest(ctx, o)
	if err != nil {
		return err
	}
	rep.print(os.Stdout)
	return nil
}

// checkLoopback refuses a target that is not this machine.
func checkLoopback(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("load: bad --url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("load: --url must be http or https, not %q", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("load: --url has no host")
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return nil, fmt.Errorf("load: refusing %s: only loopback addresses may be load-tested", host)
		}
		return u, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("load: resolve %s: %w", host, err)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return nil, fmt.Errorf("load: refusing %s: it resolves to %s, which is not a loopback address", host, a.IP)
		}
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("load: %s does not resolve", host)
	}
	return u, nil
}

// tokenSource holds the access token shared by the clients and renews it before it expires
// (and whenever the server says it has), by refresh token or, failing that, by a new login.
type tokenSource struct {
	client   *http.Client
	base     string
	user     string
	password string

	mu        sync.Mutex
	access    string
	refresh   string
	expiresAt time.Time
	refreshes atomic.Int64
}

type tokensReply struct {
	AccessToken        string    `json:"access_token"`
	ExpiresAt          time.Time `json:"expires_at"`
	ExpiresIn          int       `json:"expires_in"`
	RefreshToken       string    `json:"refresh_token"`
	MustChangePassword bool      `json:"must_change_password"`
}

func (ts *tokenSource) post(ctx context.Context, path string, body any) (tokensReply, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.base+path, bytes.NewReader(b))
	if err != nil {
		return tokensReply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.client.Do(req)
	if err != nil {
		return tokensReply{}, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return tokensReply{}, fmt.Errorf("%s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	var t tokensReply
	if err := json.Unmarshal(data, &t); err != nil {
		return tokensReply{}, fmt.Errorf("%s: %w", path, err)
	}
	if t.MustChangePassword {
		return tokensReply{}, fmt.Errorf("%s: the account must change its password first", ts.user)
	}
	return t, nil
}

func (ts *tokenSource) set(t tokensReply) {
	ts.access, ts.refresh = t.AccessToken, t.RefreshToken
	// Trust the lifetime the server states rather than its clock: renew a little early.
	ts.expiresAt = time.Now().Add(time.Duration(t.ExpiresIn)*time.Second - 10*time.Second)
}

func (ts *tokenSource) login(ctx context.Context) error {
	t, err := ts.post(ctx, "/api/v1/auth/login", map[string]string{"username": ts.user, "password": ts.password})
	if err != nil {
		return fmt.Errorf("load: login: %w", err)
	}
	ts.mu.Lock()
	ts.set(t)
	ts.mu.Unlock()
	return nil
}

// token returns a current access token, renewing it when it is about to expire.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if time.Now().Before(ts.expiresAt) {
		return ts.access, nil
	}
	return ts.renewLocked(ctx)
}

// invalidate renews the token after the server refused stale, unless another client did already.
func (ts *tokenSource) invalidate(ctx context.Context, stale string) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.access != stale {
		return ts.access, nil
	}
	return ts.renewLocked(ctx)
}

func (ts *tokenSource) renewLocked(ctx context.Context) (string, error) {
	ts.refreshes.Add(1)
	t, err := ts.post(ctx, "/api/v1/auth/refresh", map[string]string{"refresh_token": ts.refresh})
	if err != nil {
		if t, err = ts.post(ctx, "/api/v1/auth/login", map[string]string{"username": ts.user, "password": ts.password}); err != nil {
			return "", fmt.Errorf("renew token: %w", err)
		}
	}
	ts.set(t)
	return ts.access, nil
}

// loadTest logs in and sends o.Requests GETs of o.Path from o.Concurrency goroutines, stopping
// early when o.Duration has passed or ctx ends.
func loadTest(ctx context.Context, o loadOptions) (loadReport, error) {
	if o.Concurrency <= 0 || o.Requests <= 0 || o.Duration <= 0 {
		return loadReport{}, errors.New("load: --concurrency, --requests and --duration must be positive")
	}
	if !strings.HasPrefix(o.Path, "/") {
		return loadReport{}, errors.New("load: --path must start with /")
	}
	base, err := checkLoopback(ctx, o.URL)
	if err != nil {
		return loadReport{}, err
	}
	baseURL := strings.TrimRight(base.String(), "/")
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: o.Concurrency * 2, MaxIdleConnsPerHost: o.Concurrency * 2, IdleConnTimeout: 90 * time.Second,
		// Never go through a proxy: the target is this machine.
		Proxy: nil,
	}}
	defer client.CloseIdleConnections()
	ts := &tokenSource{client: client, base: baseURL, user: o.User, password: o.Password}
	if err := ts.login(ctx); err != nil {
		return loadReport{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()

	var issued atomic.Int64
	type result struct {
		lat    []time.Duration
		status map[int]int
		errs   int
	}
	results := make([]result, o.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[w]
			r.status = map[int]int{}
			for ctx.Err() == nil && issued.Add(1) <= int64(o.Requests) {
				status, lat, err := getOnce(ctx, client, ts, baseURL+o.Path)
				if ctx.Err() != nil && err != nil {
					return // cut short by --duration; not a server error
				}
				r.lat = append(r.lat, lat)
				if err != nil {
					r.errs++
					continue
				}
				r.status[status]++
				if status < 200 || status > 299 {
					r.errs++
				}
			}
		}()
	}
	wg.Wait()
	rep := loadReport{Elapsed: time.Since(start), Status: map[int]int{}, Refreshes: int(ts.refreshes.Load())}
	for _, r := range results {
		rep.Latencies = append(rep.Latencies, r.lat...)
		rep.Errors += r.errs
		for c, n := range r.status {
			rep.Status[c] += n
		}
	}
	rep.Count = len(rep.Latencies)
	slices.Sort(rep.Latencies)
	return rep, nil
}

// getOnce sends one GET with the current token; on 401 it renews the token and tries once more.
// The latency is that of the request that produced the answer.
func getOnce(ctx context.Context, client *http.Client, ts *tokenSource, target string) (int, time.Duration, error) {
	tok, err := ts.token(ctx)
	if err != nil {
		return 0, 0, err
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, time.Since(t0), err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat := time.Since(t0)
		if resp.StatusCode != http.StatusUnauthorized || attempt > 0 {
			return resp.StatusCode, lat, nil
		}
		if tok, err = ts.invalidate(ctx, tok); err != nil {
			return resp.StatusCode, lat, err
		}
	}
}
