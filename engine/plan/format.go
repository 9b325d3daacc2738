package plan

import "github.com/hashicorp/hcl/v2/hclwrite"

// Format returns src in canonical HCL formatting (voyplan fmt). Source that
// does not parse is returned with only the whitespace it can safely fix.
func Format(src []byte) []byte {
	return hclwrite.Format(src)
}
