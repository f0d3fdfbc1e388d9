// Package api is the REST API under /api/v1, built with gin: request binding and strict JSON
// decoding, one table from domain error code to HTTP status, pagination, the JWT middleware,
// request ids, metrics and the OpenAPI description. It is thin: every rule lives in the service
// package, which every handler calls with the authenticated Principal.
package api
