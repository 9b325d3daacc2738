package vars

import (
	"bytes"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestRedactVarFile(t *testing.T) {
	t.Parallel()
	src := []byte("api_kye = \"sk-secret-1\"\nusers   = \"many\"\nheaders = {\n  token = \"sk-secret-2\"\n}\n")
	const name = "x.vars.hcl"
	usersValue := hcl.Range{Filename: name, Start: hcl.Pos{Line: 2, Column: 11, Byte: 34}, End: hcl.Pos{Line: 2, Column: 17, Byte: 40}}
	if got := string(src[usersValue.Start.Byte:usersValue.End.Byte]); got != `"many"` {
		t.Fatalf("test range covers %q", got)
	}
	name1 := hcl.Range{Filename: name, Start: hcl.Pos{Line: 1, Column: 1, Byte: 0}, End: hcl.Pos{Line: 1, Column: 8, Byte: 7}}
	for _, tt := range []struct {
		keep      *hcl.Range
		wantShown bool
	}{{&usersValue, true}, {&name1, false}, {nil, false}} {
		out := RedactFile(src, name, tt.keep)
		if len(out) != len(src) || bytes.Count(out, []byte("\n")) != bytes.Count(src, []byte("\n")) {
			t.Errorf("keep %v: length or lines changed:\n%s", tt.keep, out)
		}
		if bytes.Contains(out, []byte("sk-secret")) {
			t.Errorf("keep %v: a secret is left:\n%s", tt.keep, out)
		}
		if shown := bytes.Contains(out, []byte(`users   = "many"`)); shown != tt.wantShown {
			t.Errorf("keep %v: the kept value shown %v, want %v:\n%s", tt.keep, shown, tt.wantShown, out)
		}
		if !bytes.Contains(out, []byte("api_kye = ")) || !bytes.Contains(out, []byte("  token = ")) {
			t.Errorf("keep %v: the names are gone:\n%s", tt.keep, out)
		}
	}
}
