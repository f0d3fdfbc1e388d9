package api

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPIExamples holds the description to its promise of being a contract with examples:
//
//   - the document validates with example validation switched on, so every example it carries
//     (on a media type, in an examples map, on a schema, on a parameter) matches its schema;
//   - every operation whose request body is application/json has an example, on the media type
//     (example or examples) or on the schema the media type uses;
//   - every 2xx application/json response has an example, on the media type or on its schema
//     (typically a component schema reused by many operations).
//
// The failure message lists every operation and response that lacks one.
func TestOpenAPIExamples(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPIYAML)
	if err != nil {
		t.Fatalf("load OpenAPI description: %v", err)
	}
	if err := doc.Validate(context.Background(),
		openapi3.EnableExamplesValidation(),
		openapi3.EnableSchemaDefaultsValidation(),
		openapi3.EnableMultiError(),
	); err != nil {
		t.Fatalf("OpenAPI description does not validate with example validation on:\n%v", err)
	}

	var missing []string
	operations := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			operations++
			name := fmt.Sprintf("%s %s (%s)", method, path, op.OperationID)
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && !mediaTypeHasExample(mt) {
					missing = append(missing, name+": request body")
				}
			}
			if op.Responses == nil {
				continue
			}
			for status, resp := range op.Responses.Map() {
				if !isSuccessStatus(status) || resp == nil || resp.Value == nil {
					continue
				}
				if mt := resp.Value.Content.Get("application/json"); mt != nil && !mediaTypeHasExample(mt) {
					missing = append(missing, name+": response "+status)
				}
			}
		}
	}
	if operations == 0 {
		t.Fatal("the description has no operations")
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Errorf("%d application/json bodies have no example (add example/examples on the media type, "+
			"or an example on the schema):\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

// mediaTypeHasExample reports whether a media type carries an example itself or through the
// schema it uses (inline or a $ref to a component schema).
func mediaTypeHasExample(mt *openapi3.MediaType) bool {
	if mt.Example != nil {
		return true
	}
	for _, ex := range mt.Examples {
		if ex != nil && ex.Value != nil && (ex.Value.Value != nil || ex.Value.ExternalValue != "") {
			return true
		}
	}
	return mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Example != nil
}

// isSuccessStatus is true for 200..299 and the 2XX range.
func isSuccessStatus(status string) bool {
	if strings.EqualFold(status, "2XX") {
		return true
	}
	code, err := strconv.Atoi(status)
	return err == nil && code >= 200 && code < 300
}
