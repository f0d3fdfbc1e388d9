// Package pgcluster runs a private PostgreSQL cluster from the system's own server
// binaries (initdb, pg_ctl, postgres), so that `make run` and `make test` work on a
// fresh Debian machine without Docker and without touching any PostgreSQL server that
// may already be installed there.
//
// The cluster listens on 127.0.0.1 only, on a free port, with trust authentication for
// the postgres role: it is meant for one developer's or one CI run's own use. When the
// process runs as root, every server program runs as the postgres OS user, because
// PostgreSQL refuses to run as root.
//
// Typical use:
//
//	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: ".data/pg", Log: os.Stderr, Install: true})
//	if err != nil { ... }
//	defer c.Stop()
//	db, err := sql.Open("pgx", c.URL("postgres"))
package pgcluster
