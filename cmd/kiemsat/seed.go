package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"kiemsat/domain"
	"kiemsat/service"
	"kiemsat/service/seed"
)

// runSeed loads the organisation (seed-units) or the organisation plus demo users and cases
// (seed-demo). Demo accounts exist only through this command, never in a production start.
func runSeed(ctx context.Context, args []string, demo bool) error {
	app, _, err := openCommandApp(ctx, true)
	if err != nil {
		return err
	}
	defer app.Close()
	if !demo {
		units, err := seed.Org(ctx, app.store, app.store, time.Now())
		if err != nil {
			return err
		}
		fmt.Printf("organisation loaded: %d units\n", len(units))
		return nil
	}
	return app.seedDemo(ctx)
}

func (a *App) seedDemo(ctx context.Context) error {
	units, err := seed.Demo(ctx, seed.DepsOf(a.store, a.Services, a.Hasher, service.SystemClock{}), a.cfg.DemoPassword, a.cfg.DemoMustChangePassword)
	if err != nil {
		return err
	}
	fmt.Printf("demo data loaded: %d units, %d demo users\n", len(units), len(seed.DemoUsers))
	return nil
}

// runCreateUser creates a user with one grant: the way to bootstrap the first system
// administrator of a production installation. The password is read from KIEMSAT_NEW_PASSWORD
// or from standard input, never from a flag (flags end up in shell history and ps).
func runCreateUser(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("create-user", flag.ContinueOnError)
	username := fs.String("username", "", "login name (3–64 of a-z 0-9 . _ -)")
	fullName := fs.String("full-name", "", "full name")
	unitCode := fs.String("unit", seed.SupremeCode, "code of the user's unit")
	role := fs.String("role", string(domain.RoleSystemAdmin), "role granted at the unit")
	mustChange := fs.Bool("must-change-password", true, "require a new password at first login")
	if err := fs.Parse(args); err != nil {
		return exitCodeError(2)
	}
	password := os.Getenv("KIEMSAT_NEW_PASSWORD")
	if password == "" {
		fmt.Fprint(os.Stderr, "password: ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password given (set KIEMSAT_NEW_PASSWORD or type it on standard input)")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	in := domain.UserInput{Username: *username, FullName: *fullName, Password: password, MustChangePassword: *mustChange, UnitID: 1}
	var v domain.Validation
	if err := in.Validate(); err != nil {
		de, _ := domain.AsError(err)
		for _, d := range de.Details {
			v.Add(d.Field, d.Rule, d.Message)
		}
	}
	if !domain.Role(*role).Valid() {
		v.Add("role", "enum", "unknown role")
	}
	if err := v.Err(); err != nil {
		de, _ := domain.AsError(err)
		for _, d := range de.Details {
			fmt.Fprintf(os.Stderr, "  %s: %s\n", d.Field, d.Message)
		}
		return exitCodeError(2)
	}
	app, _, err := openCommandApp(ctx, true)
	if err != nil {
		return err
	}
	defer app.Close()
	unit, err := app.store.GetUnitByCode(ctx, *unitCode)
	if err != nil {
		return fmt.Errorf("unit %s: %w (load the organisation first with 'kiemsat seed-units')", *unitCode, err)
	}
	hash, err := app.Hasher.Hash(password)
	if err != nil {
		return err
	}
	now := time.Now()
	id, _ := uuid.NewV7()
	u := domain.User{ID: id.String(), Username: *username, FullName: *fullName, UnitID: unit.ID, Active: true, MustChangePassword: *mustChange, PasswordChangedAt: now, CreatedAt: now}
	err = app.store.WithinTx(ctx, func(ctx context.Context) error {
		if err := app.store.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		gid, _ := uuid.NewV7()
		if _, err := app.store.AddGrant(ctx, domain.Grant{ID: gid.String(), UserID: u.ID, Role: domain.Role(*role), UnitID: unit.ID, CreatedAt: now}); err != nil {
			return err
		}
		return app.store.Record(ctx, domain.AuditEntry{At: now, Username: "cli", Action: "user.create", TargetType: "user", TargetID: u.ID,
			TargetUnit: unit.ID, Outcome: domain.OutcomeSuccess, Detail: fmt.Sprintf(`{"username":%q,"role":%q,"via":"create-user"}`, u.Username, *role)})
	})
	if err != nil {
		return err
	}
	fmt.Printf("created %s (%s) with role %s at %s\n", u.Username, u.ID, *role, unit.Code)
	return nil
}
