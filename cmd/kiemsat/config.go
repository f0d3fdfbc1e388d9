package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the platform, read once from environment variables with documented
// defaults (docs/operations.md lists them) and validated as a whole.
type Config struct {
	DatabaseURL    string // DATABASE_URL: PostgreSQL connection URL
	Addr           string // KIEMSAT_ADDR: listen address (default 127.0.0.1:8080)
	JWTKey         ed25519.PrivateKey
	JWTKeyFile     string        // KIEMSAT_JWT_KEY_FILE: file holding the base64 Ed25519 seed
	Issuer         string        // KIEMSAT_JWT_ISSUER (default kiemsat)
	Audience       string        // KIEMSAT_JWT_AUDIENCE (default kiemsat-api)
	AccessTTL      time.Duration // KIEMSAT_ACCESS_TTL (default 15m)
	RefreshTTL     time.Duration // KIEMSAT_REFRESH_TTL (default 12h)
	DBMaxConns     int           // KIEMSAT_DB_MAX_CONNS (default 20)
	MigrateOnStart bool          // KIEMSAT_MIGRATE_ON_START (default true)
	PolicyReload   time.Duration // KIEMSAT_POLICY_RELOAD (default 10s)
	// MonitorInterval is how often the deadline monitor moves stored clocks and delivers the
	// outbox; 0 turns it off in this process (another instance runs it).
	MonitorInterval time.Duration // KIEMSAT_MONITOR_INTERVAL (default 1m; 0 = off)
	LogLevel        slog.Level    // KIEMSAT_LOG_LEVEL: debug, info, warn, error (default info)
	TrustedProxies  []string      // KIEMSAT_TRUSTED_PROXIES: comma-separated proxy addresses whose X-Forwarded-For is believed
	MaxBodyBytes    int64         // KIEMSAT_MAX_BODY_BYTES (default 1 MiB)
	// MakeUpSaturdaysWork counts a Saturday declared a working day (làm bù) as a working day for
	// procedural limits, as it is for the civil service.
	MakeUpSaturdaysWork bool // KIEMSAT_MAKEUP_SATURDAY_WORKING (default true)
	// Case files (hồ sơ vụ án) go to MinIO (any S3-compatible server) when MINIO_ENDPOINT is set,
	// otherwise to a folder on local disk (the embedded default).
	MinioEndpoint  string // MINIO_ENDPOINT: host:port
	MinioAccessKey string // MINIO_ACCESS_KEY
	MinioSecretKey string // MINIO_SECRET_KEY
	MinioBucket    string // MINIO_BUCKET (default kiemsat-files)
	MinioTLS       bool   // MINIO_USE_TLS (default false)
	FilesDir       string // KIEMSAT_FILES_DIR: the local folder without MinIO (default data/files; make run: .data/files)
	MinioSSE       bool   // MINIO_SSE=s3: ask the server to encrypt objects at rest (needs a KMS on the server)
	MaxFileSize    int64  // KIEMSAT_MAX_FILE_SIZE: largest case file in bytes (default 2 GiB)
	// UploadGrace is how long an unfinished upload's object stays before the sweeper removes it.
	UploadGrace time.Duration // KIEMSAT_UPLOAD_GRACE (default 24h)
	// SweepInterval is how often this process sweeps unfinished uploads; 0 turns it off.
	SweepInterval time.Duration // KIEMSAT_SWEEP_INTERVAL (default 10m; 0 = off)
	// TransferTimeout bounds one upload or download of a case file (the server's other requests
	// keep their 60-second limits).
	TransferTimeout time.Duration // KIEMSAT_TRANSFER_TIMEOUT (default 2h)
	// ChangesRetention is how long the change feed keeps its entries; a follower further behind
	// restarts from a snapshot.
	ChangesRetention time.Duration // KIEMSAT_CHANGES_RETENTION (default 8760h = a year)
	// ManifestKey signs case-file manifests (Ed25519); a key of its own, so rotating the JWT key
	// leaves exported manifests verifiable.
	ManifestKey     ed25519.PrivateKey
	ManifestKeyFile string // KIEMSAT_MANIFEST_KEY_FILE (or KIEMSAT_MANIFEST_KEY: base64 seed)
	// DemoMustChangePassword makes seed-demo's accounts change their password at first login.
	DemoMustChangePassword bool   // KIEMSAT_DEMO_MUST_CHANGE_PASSWORD (default false)
	DemoPassword           string // KIEMSAT_DEMO_PASSWORD (default KiemSat@2026)
	// SecureCookies marks the web UI's session cookies Secure (with the __Host- prefix): the UI is
	// then only usable over HTTPS, as in production behind a TLS proxy. make run turns it off for
	// plain http://127.0.0.1 unless set.
	SecureCookies bool // KIEMSAT_SECURE_COOKIES (default true; make run: false)
	// The assistant's optional language-model step: an OpenAI-compatible endpoint inside the
	// organisation that rewords answers built from retrieval. Off unless the URL is set.
	AssistantLLMURL     string        // KIEMSAT_ASSISTANT_LLM_URL, e.g. http://10.0.0.5:8000/v1
	AssistantLLMModel   string        // KIEMSAT_ASSISTANT_LLM_MODEL
	AssistantLLMKey     string        // KIEMSAT_ASSISTANT_LLM_KEY (optional bearer token)
	AssistantLLMTimeout time.Duration // KIEMSAT_ASSISTANT_LLM_TIMEOUT (default 10s)
	// ExtractInterval is how often this process reads the text of newly uploaded documents for
	// the search; 0 turns it off.
	ExtractInterval time.Duration // KIEMSAT_EXTRACT_INTERVAL (default 15s; 0 = off)
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// loadConfig reads the environment. needKey says whether the JWT key is required (serve);
// keyDir, when set, is where a development key is created if none is configured.
func loadConfig(needKey bool, keyDir string) (Config, error) {
	var errs []error
	c := Config{
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		Addr:            env("KIEMSAT_ADDR", "127.0.0.1:8080"),
		JWTKeyFile:      os.Getenv("KIEMSAT_JWT_KEY_FILE"),
		ManifestKeyFile: os.Getenv("KIEMSAT_MANIFEST_KEY_FILE"),
		Issuer:          env("KIEMSAT_JWT_ISSUER", "kiemsat"),
		Audience:        env("KIEMSAT_JWT_AUDIENCE", "kiemsat-api"),
		DemoPassword:    env("KIEMSAT_DEMO_PASSWORD", "KiemSat@2026"),
	}
	dur := func(name, def string, min, max time.Duration) time.Duration {
		d, err := time.ParseDuration(env(name, def))
		if err != nil || d < min || d > max {
			errs = append(errs, fmt.Errorf("%s must be a duration between %s and %s", name, min, max))
		}
		return d
	}
	integer := func(name string, def, min, max int64) int64 {
		n, err := strconv.ParseInt(env(name, strconv.FormatInt(def, 10)), 10, 64)
		if err != nil || n < min || n > max {
			errs = append(errs, fmt.Errorf("%s must be an integer between %d and %d", name, min, max))
		}
		return n
	}
	boolean := func(name string, def bool) bool {
		b, err := strconv.ParseBool(env(name, strconv.FormatBool(def)))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s must be true or false", name))
		}
		return b
	}
	c.AccessTTL = dur("KIEMSAT_ACCESS_TTL", "15m", time.Minute, time.Hour)
	c.RefreshTTL = dur("KIEMSAT_REFRESH_TTL", "12h", 10*time.Minute, 30*24*time.Hour)
	c.PolicyReload = dur("KIEMSAT_POLICY_RELOAD", "10s", time.Second, time.Hour)
	if v := env("KIEMSAT_MONITOR_INTERVAL", "1m"); v != "0" {
		c.MonitorInterval = dur("KIEMSAT_MONITOR_INTERVAL", "1m", time.Second, 24*time.Hour)
	}
	c.DBMaxConns = int(integer("KIEMSAT_DB_MAX_CONNS", 20, 2, 500))
	c.MaxBodyBytes = integer("KIEMSAT_MAX_BODY_BYTES", 1<<20, 1<<10, 64<<20)
	c.MigrateOnStart = boolean("KIEMSAT_MIGRATE_ON_START", true)
	c.DemoMustChangePassword = boolean("KIEMSAT_DEMO_MUST_CHANGE_PASSWORD", false)
	c.SecureCookies = boolean("KIEMSAT_SECURE_COOKIES", true)
	c.MakeUpSaturdaysWork = boolean("KIEMSAT_MAKEUP_SATURDAY_WORKING", true)
	c.MinioEndpoint, c.MinioAccessKey, c.MinioSecretKey = os.Getenv("MINIO_ENDPOINT"), os.Getenv("MINIO_ACCESS_KEY"), os.Getenv("MINIO_SECRET_KEY")
	c.MinioBucket, c.FilesDir = env("MINIO_BUCKET", "kiemsat-files"), env("KIEMSAT_FILES_DIR", filepath.Join("data", "files"))
	c.MinioTLS = boolean("MINIO_USE_TLS", false)
	switch v := env("MINIO_SSE", "none"); v {
	case "none":
	case "s3":
		c.MinioSSE = true
	default:
		errs = append(errs, fmt.Errorf("MINIO_SSE must be none or s3, not %q", v))
	}
	c.MaxFileSize = integer("KIEMSAT_MAX_FILE_SIZE", 2<<30, 1<<20, 1<<40)
	c.UploadGrace = dur("KIEMSAT_UPLOAD_GRACE", "24h", time.Minute, 30*24*time.Hour)
	if v := env("KIEMSAT_SWEEP_INTERVAL", "10m"); v != "0" {
		c.SweepInterval = dur("KIEMSAT_SWEEP_INTERVAL", "10m", time.Second, 24*time.Hour)
	}
	c.TransferTimeout = dur("KIEMSAT_TRANSFER_TIMEOUT", "2h", time.Minute, 48*time.Hour)
	c.AssistantLLMURL, c.AssistantLLMModel, c.AssistantLLMKey = os.Getenv("KIEMSAT_ASSISTANT_LLM_URL"), os.Getenv("KIEMSAT_ASSISTANT_LLM_MODEL"), os.Getenv("KIEMSAT_ASSISTANT_LLM_KEY")
	c.AssistantLLMTimeout = dur("KIEMSAT_ASSISTANT_LLM_TIMEOUT", "10s", time.Second, 2*time.Minute)
	if c.AssistantLLMURL != "" {
		if u, err := url.Parse(c.AssistantLLMURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("KIEMSAT_ASSISTANT_LLM_URL must be an http(s) URL such as http://10.0.0.5:8000/v1"))
		}
		if c.AssistantLLMModel == "" {
			errs = append(errs, fmt.Errorf("KIEMSAT_ASSISTANT_LLM_URL is set: KIEMSAT_ASSISTANT_LLM_MODEL is required"))
		}
	}
	if v := env("KIEMSAT_EXTRACT_INTERVAL", "15s"); v != "0" {
		c.ExtractInterval = dur("KIEMSAT_EXTRACT_INTERVAL", "15s", time.Second, 24*time.Hour)
	}
	c.ChangesRetention = dur("KIEMSAT_CHANGES_RETENTION", "8760h", 24*time.Hour, 10*8784*time.Hour)
	if c.MinioEndpoint != "" && (c.MinioAccessKey == "" || c.MinioSecretKey == "") {
		errs = append(errs, fmt.Errorf("MINIO_ENDPOINT is set: MINIO_ACCESS_KEY and MINIO_SECRET_KEY are required"))
	}
	if err := c.LogLevel.UnmarshalText([]byte(env("KIEMSAT_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("KIEMSAT_LOG_LEVEL must be debug, info, warn or error"))
	}
	if v := os.Getenv("KIEMSAT_TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			c.TrustedProxies = append(c.TrustedProxies, strings.TrimSpace(p))
		}
	}
	if needKey {
		key, err := loadKey("KIEMSAT_JWT_KEY", c.JWTKeyFile, keyDir, "jwt.key")
		if err != nil {
			errs = append(errs, err)
		}
		c.JWTKey = key
		mkey, err := loadKey("KIEMSAT_MANIFEST_KEY", c.ManifestKeyFile, keyDir, "manifest.key")
		if err != nil {
			errs = append(errs, err)
		}
		c.ManifestKey = mkey
	}
	return c, errors.Join(errs...)
}

// loadKey reads an Ed25519 signing key: the variable name (base64 seed), else the key file (the
// variable name_FILE), else (development only, keyDir set) a key generated once and kept in
// keyDir/devFile. Production must configure a key shared by every instance.
func loadKey(name, file, keyDir, devFile string) (ed25519.PrivateKey, error) {
	parse := func(s, where string) (ed25519.PrivateKey, error) {
		seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("%s must hold a base64 Ed25519 seed of 32 bytes (generate one with: head -c32 /dev/urandom | base64)", where)
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if v := os.Getenv(name); v != "" {
		return parse(v, name)
	}
	if file == "" && keyDir != "" {
		file = filepath.Join(keyDir, devFile)
		if _, err := os.Stat(file); os.IsNotExist(err) {
			seed := make([]byte, ed25519.SeedSize)
			if _, err := rand.Read(seed); err != nil {
				return nil, err
			}
			if err := os.MkdirAll(keyDir, 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(file, []byte(base64.StdEncoding.EncodeToString(seed)+"\n"), 0o600); err != nil {
				return nil, err
			}
		}
	}
	if file == "" {
		return nil, fmt.Errorf("no signing key: set %s or %s_FILE (a base64 Ed25519 seed shared by every instance)", name, name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s_FILE: %w", name, err)
	}
	return parse(string(b), file)
}
