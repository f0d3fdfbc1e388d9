// Package seed loads the procuracy organisation of 1 July 2025 (the Supreme People's Procuracy,
// its three appellate institutes, the 34 provincial procuracies, a sample of regional units and
// a military branch) and, for demonstrations and tests only, demo users and cases.
//
// It goes through the service stores so that seeded data obeys the same rules as live data.
package seed
