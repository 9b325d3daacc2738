package decode

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Duplicate reports a second block of a kind with an already used name.
func Duplicate(kind, name string, first, b *hcl.Block) *hcl.Diagnostic {
	return DuplicateAt(kind, name, first.DefRange, b)
}

// DuplicateAt is Duplicate for a first declaration known by its range.
func DuplicateAt(kind, name string, first hcl.Range, b *hcl.Block) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + kind,
		Detail: fmt.Sprintf("A %s named %q is already declared at %s. Names must be unique: rename or remove one of them.",
			kind, name, first),
		Subject: b.LabelRanges[0].Ptr(),
	}
}

// DuplicateBlocks reports every block of list after the first: a container
// (a plan, a target) has at most one block of type typ.
func DuplicateBlocks(container, typ string, list hcl.Blocks) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range list[1:] {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s block", typ),
			Detail: fmt.Sprintf("A %s has at most one %s block; the first is at %s. Merge the two or remove this one.",
				container, typ, list[0].DefRange),
			Subject: b.DefRange.Ptr(),
		})
	}
	return diags
}
