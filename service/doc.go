// Package service holds the use cases of Kiểm Sát Số in the language of its users: log in,
// register a crime report or a case, assign prosecutors, manage units, users and grants, read the
// audit log. It owns transaction boundaries and authorization: every method takes the acting
// Principal, computes its scope from grants and policy, and records audit rows in the same
// transaction as the change they describe.
//
// It declares the interfaces it consumes (stores, policy, token issuer, clock) and knows nothing
// of HTTP, SQL or casbin; the repository and api packages plug into it.
package service
