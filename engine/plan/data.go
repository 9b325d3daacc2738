package plan

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/names"
	"github.com/voyplan/voyplan/engine/plan/peruser"
)

// dataBlock is a `data "name"` block: attributes evaluated afresh for every
// virtual user, in file order.
type dataBlock struct {
	name  string
	attrs []peruser.Attr // in file order
	block *hcl.Block
	// ok is false when a reference or function call in the block is
	// wrong (already reported); the probe user then skips the block.
	ok bool
}

func (b *dataBlock) has(name string) bool {
	for _, a := range b.attrs {
		if a.Name == name {
			return true
		}
	}
	return false
}

func (b *dataBlock) names() []string {
	names := make([]string, len(b.attrs))
	for i, a := range b.attrs {
		names[i] = a.Name
	}
	return names
}

// reservedDataNames are the names complete_when sees besides the data
// blocks; a data block named like one would be hidden by it.
var reservedDataNames = map[string]bool{"reply": true, "messages": true, "turn": true, "persona": true}

// collectData gathers the data blocks, then checks each one's references
// against the blocks above it.
func (l *loader) collectData(blocks hcl.Blocks) {
	for _, b := range blocks {
		l.addDataBlock(b)
	}
	for i, b := range l.data {
		for _, a := range b.attrs {
			if diags := l.checkExpr(a.Expr, i); diags.HasErrors() {
				l.add(diags)
				b.ok = false
			}
		}
	}
}

func (l *loader) addDataBlock(b *hcl.Block) {
	name := b.Labels[0]
	if i := l.dataIndex(name); i >= 0 {
		l.add(hcl.Diagnostics{decode.Duplicate("data block", name, l.data[i].block, b)})
		return
	}
	if reservedDataNames[name] {
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Reserved data block name",
			Detail: fmt.Sprintf("complete_when sees the data blocks by name next to reply, messages, turn and persona, "+
				"so a data block cannot be named %q. Rename it, e.g. %q.", name, name+"_data"),
			Subject: b.LabelRanges[0].Ptr(),
		}})
		return
	}
	attrs, diags := b.Body.JustAttributes()
	l.add(diags)
	d := &dataBlock{name: name, block: b, ok: true}
	for name, a := range attrs {
		d.attrs = append(d.attrs, peruser.Attr{Name: name, Expr: a.Expr})
	}
	sort.Slice(d.attrs, func(i, j int) bool {
		return d.attrs[i].Expr.Range().Start.Byte < d.attrs[j].Expr.Range().Start.Byte
	})
	l.data = append(l.data, d)
}

func (l *loader) dataIndex(name string) int {
	for i, b := range l.data {
		if b.name == name {
			return i
		}
	}
	return -1
}

func (l *loader) dataNames() []string {
	names := make([]string, len(l.data))
	for i, b := range l.data {
		names[i] = b.name
	}
	return names
}

// dataShapes is the data blocks as names.TurnShape reads them.
func (l *loader) dataShapes() []names.DataBlock {
	out := make([]names.DataBlock, len(l.data))
	for i, b := range l.data {
		attrs := make([]string, len(b.attrs))
		for j, a := range b.attrs {
			attrs[j] = a.Name
		}
		out[i] = names.DataBlock{Name: b.name, Attrs: attrs}
	}
	return out
}
