package results

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SummarySchema is the JSON Schema (draft 2020-12) of summary.json.
//
//go:embed summary.schema.json
var SummarySchema []byte

// schemaURL is the schema's $id.
const schemaURL = "https://github.com/voyplan/voyplan/engine/results/summary.schema.json"

// ValidateSummary checks a summary.json against SummarySchema, formats
// (date-time) included. The error lists every violation with its JSON
// pointer.
func ValidateSummary(raw []byte) error {
	sch, err := compileSummarySchema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("the summary is not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("the summary does not match its schema: %w", err)
	}
	return nil
}

// compileSummarySchema compiles the embedded schema; it needs no network
// (the 2020-12 meta-schema ships with the validator).
func compileSummarySchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SummarySchema))
	if err != nil {
		return nil, fmt.Errorf("the embedded summary schema is not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("cannot load the summary schema: %w", err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("cannot compile the summary schema: %w", err)
	}
	return sch, nil
}
