// Package repository keeps things: PostgreSQL through gorm (row structs separate from domain
// entities, mappers, SQLSTATE-to-domain error translation, embedded goose migrations), the casbin
// policy loaded from our own table, and the hash-chained audit log.
//
// It implements the store interfaces declared by the service package and knows nothing of HTTP.
package repository
