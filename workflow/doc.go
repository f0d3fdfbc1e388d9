// Package workflow will hold the law as code: the case lifecycle transition table, the deadline
// rule table with its citations of the Criminal Procedure Code 2015, the legal calendar, and the
// pure functions that turn a case's events into deadlines and violations. It imports only domain
// and takes the time as a parameter. It is filled by the lifecycle and deadline issues; the
// foundation only fixes its place in the layering.
package workflow
