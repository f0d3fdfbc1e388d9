# Kiểm Sát Số: everyday commands. Every target works on a fresh Debian machine:
# a private PostgreSQL cluster is started from the system binaries (installed with
# apt-get when missing) unless DATABASE_URL or TEST_DATABASE_URL points at a server.

# The newest staticcheck release that supports Go 1.26 (staticcheck 2026.2.2).
STATICCHECK_VERSION := v0.8.2

BIN := .data/bin/kiemsat

# The MinIO server the object-storage tests run against (issue 5): the pinned release, built once
# with go install (a few minutes on a fresh machine) into a cache folder outside the repository,
# one folder per version. The upstream server repository is archived; the adapter speaks plain S3.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_BIN := $(HOME)/.cache/kiemsat/minio-$(MINIO_VERSION)/minio

.PHONY: build run test bench lint clean minio

build:
	go build -o $(BIN) ./cmd/kiemsat

# Starts a private cluster under .data/pg (unless DATABASE_URL is set), migrates,
# seeds demo data and serves on 127.0.0.1:8080; the logins are printed at start.
run: build
	$(BIN) dev

# with-db starts a fresh private cluster in .data/pgtest (unless TEST_DATABASE_URL or
# DATABASE_URL is set), passes it to the tests as TEST_DATABASE_URL and stops it after.
test: build $(MINIO_BIN)
	MINIO_BIN=$(MINIO_BIN) $(BIN) with-db -- go test -count=1 -p 2 -timeout 15m ./...

# Go benchmarks: the case list and read through the whole API against the same list in raw pgx,
# on BENCH_CASES generated cases (20000 by default; e.g. BENCH_CASES=200000 make bench).
# For the HTTP load test at scale, against a server on this machine:
#   DATABASE_URL=postgres://... $(BIN) gen --cases 1000000 --seed 1
#   DATABASE_URL=postgres://... KIEMSAT_JWT_KEY_FILE=... KIEMSAT_MANIFEST_KEY_FILE=... $(BIN) serve &   # or: make run
#   $(BIN) load --url http://127.0.0.1:8080 --user hn.vientruong --password ... \
#       --concurrency 32 --requests 5000 --duration 2m --path '/api/v1/cases?limit=50'
# The supervision benchmarks (caseload, statistics, trend) read-only on such a database, beside one
# count(*) of every case through pgx:
#   BENCH_DATABASE_URL=postgres://.../kiemsat_1m go test -run '^$$' -bench 'Caseload|Statistics|Trend|CountCases' ./api/bench/
# p99 under 32 concurrent clients with wrk (apt-get install wrk), a token from POST /api/v1/auth/login:
#   wrk -t2 -c32 -d30s --latency -H "Authorization: Bearer $$TOKEN" 'http://127.0.0.1:8080/api/v1/cases?limit=50'
# The deadline monitor at scale, beside a plain count over the same rows, without keeping anything:
#   DATABASE_URL=postgres://... $(BIN) gen --cases 1000000 --seed 1
#   DATABASE_URL=postgres://... $(BIN) monitor --at +24h --dry-run --baseline
bench: build $(MINIO_BIN)
	MINIO_BIN=$(MINIO_BIN) $(BIN) with-db -- go test -run '^$$' -bench . -benchmem -timeout 30m ./...

$(MINIO_BIN):
	GOBIN=$(dir $(MINIO_BIN)) go install github.com/minio/minio@$(MINIO_VERSION)

lint:
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Removes the test cluster and the binary; the development data in .data/pg stays.
clean:
	rm -rf .data/pgtest .data/bin

# Builds (once) the pinned MinIO server the tests use.
minio: $(MINIO_BIN)
