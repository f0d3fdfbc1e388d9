// Package domain holds the entities and value objects of Vietnamese criminal procedure as the
// procuracy (Viện kiểm sát nhân dân) sees them: the organisation tree, its people and their grants,
// the case registry and the audit trail, with the typed errors every layer speaks.
//
// It knows nothing of HTTP, SQL, casbin or object storage; it imports the standard library only,
// so the rules here can be tested without any infrastructure.
package domain
