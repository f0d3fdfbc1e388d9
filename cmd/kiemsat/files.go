package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"kiemsat/service"
)

// runVerifyFiles re-hashes every stored version of the case files (or one case's) against its row
// and lists the objects no version points at. It changes nothing and exits 1 when anything is
// wrong, so it can run from cron and alert.
func runVerifyFiles(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify-files", flag.ContinueOnError)
	caseID := fs.String("case", "", "check only this case (its id)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return exitCodeError(2)
	}
	app, _, err := openCommandApp(ctx, false)
	if err != nil {
		return err
	}
	defer app.Close()
	start := time.Now()
	rep, err := app.Files.Verify(ctx, *caseID, nil)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Printf("checked %d versions (%d bytes) and %d objects in %s\n", rep.Checked, rep.Bytes, rep.Objects, took.Round(time.Millisecond))
		for _, p := range rep.Problems {
			fmt.Printf("%-12s %s case=%s document=%s version=%d want=%s got=%s\n", p.Kind, p.Key, p.CaseID, p.DocumentID, p.N, p.Want, p.Got)
		}
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(os.Stderr, "kiemsat: %d problem(s) found\n", len(rep.Problems))
		return exitCodeError(1)
	}
	return nil
}

// runSweepFiles removes, once, the objects of uploads never committed that are older than the
// grace period (KIEMSAT_UPLOAD_GRACE); the server does the same every KIEMSAT_SWEEP_INTERVAL.
func runSweepFiles(ctx context.Context, _ []string) error {
	app, _, err := openCommandApp(ctx, false)
	if err != nil {
		return err
	}
	defer app.Close()
	n, err := app.Files.SweepUploads(ctx)
	fmt.Printf("removed %d unfinished upload(s)\n", n)
	return err
}

// runVerifyExport checks an exported case file (ZIP) offline, without the database: the manifest's
// signature against the server's public key, then every file against its hash. A court or the
// defence runs it with the key the procuracy publishes.
func runVerifyExport(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("verify-export", flag.ContinueOnError)
	key := fs.String("public-key", "", "the server's manifest public key (base64); default: the key inside the ZIP, which proves only that it is whole")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: kiemsat verify-export [--public-key B64] FILE.zip")
		return exitCodeError(2)
	}
	var pub ed25519.PublicKey
	if *key != "" {
		b, err := base64.StdEncoding.DecodeString(*key)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return fmt.Errorf("--public-key must be a base64 Ed25519 public key of 32 bytes")
		}
		pub = b
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	chk, err := service.CheckExport(f, st.Size(), pub)
	if err != nil {
		return err
	}
	fmt.Printf("case %s (%s): %d file(s) checked, signature valid: %t\n", chk.Manifest.CaseCode, chk.Manifest.CaseID, chk.Files, chk.SignatureValid)
	for _, p := range chk.Problems {
		fmt.Println("  " + p)
	}
	if len(chk.Problems) > 0 {
		return exitCodeError(1)
	}
	return nil
}

// runCreateClient registers a service account's client (client credentials) for an existing
// service user and prints its secret once: kiemsat create-client --client-id congan-hn --username
// svc.congan.hn --scopes case.read,case.create.
func runCreateClient(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("create-client", flag.ContinueOnError)
	id := fs.String("client-id", "", "the client's id: 3–64 lower-case letters, digits, . _ -")
	username := fs.String("username", "", "the service user it acts as (its unit grants bound it)")
	scopes := fs.String("scopes", "case.read", "comma-separated actions: case.read, case.create, case.update, case.decide")
	if err := fs.Parse(args); err != nil || *id == "" || *username == "" {
		fmt.Fprintln(os.Stderr, "usage: kiemsat create-client --client-id ID --username USER [--scopes case.read,...]")
		return exitCodeError(2)
	}
	app, _, err := openCommandApp(ctx, false)
	if err != nil {
		return err
	}
	defer app.Close()
	var list []string
	for _, s := range strings.Split(*scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	secret, err := app.Auth.CreateClient(ctx, *id, *username, list)
	if err != nil {
		return err
	}
	fmt.Printf("client_id=%s\nclient_secret=%s\n(the secret is shown only now; POST /api/v1/auth/token with grant_type=client_credentials)\n", *id, secret)
	return nil
}
