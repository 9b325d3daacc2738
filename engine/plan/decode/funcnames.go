package decode

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// CheckFunctionNames reports every call in e to a function not in allowed,
// with the closest allowed name as a suggestion. where is "a plan" or "a
// template".
func CheckFunctionNames(e hclsyntax.Expression, allowed map[string]bool, where string) hcl.Diagnostics {
	return VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || allowed[call.Name] {
			return nil
		}
		detail := fmt.Sprintf("There is no function named %q in %s.%s", call.Name, where,
			DidYouMean(call.Name, SortedKeys(allowed)))
		if call.Name == "templatefile" {
			detail = "templatefile cannot be called from inside a template: render the inner template in the plan and pass the result in vars."
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Call to unknown function",
			Detail:   detail,
			Subject:  call.NameRange.Ptr(),
			Context:  call.Range().Ptr(),
		}}
	})
}
