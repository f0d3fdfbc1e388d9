// Package pgtest gives tests a real, migrated PostgreSQL database of their own.
//
// The server comes from TEST_DATABASE_URL (or DATABASE_URL): `make test` starts a private
// cluster and sets it through `kiemsat with-db`; a developer may point it at any server
// where the user may create databases, such as
// TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
//
// Migrations run once per migration set, into a template database named after
// repository.MigrationsFingerprint; every test database is a copy of that template made by
// CREATE DATABASE ... TEMPLATE, which takes milliseconds where migrating would take
// seconds. A package that touches storage uses it like this:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		db, err := sql.Open("pgx", pgtest.URL())       // the package's shared database
//		...
//		isolated := pgtest.NewDatabase(t)              // or one for this test alone
//	}
//
// Because pgtest imports package repository, tests inside package repository itself must
// be written as the external test package repository_test to use it.
package pgtest
