// Fitting the result tables to the terminal: the verdict and compare print
// tablewriter's box tables whose rows are as wide as their figures (120
// columns and more). On a terminal narrower than that, fitWidth drops the
// columns a reader can best do without — their figures stay in
// summary.json, the CSVs and report.html — and wraps what is left too
// wide, so that nothing wraps by itself into a staircase.

package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/mitchellh/go-wordwrap"
)

// dropOrder are the columns fitWidth leaves out first, by header; a
// column not listed is never dropped.
var dropOrder = []string{
	"Type", "Min", "Avg", "Max", "p99", "Tokens in/out/think", // requests
	"Data mismatch", "Drift", "Interrupted", "Abandoned", "Avg turns", // personas
	"Noise", // compare ("Noise (99%)")
	"Med",
}

var ansiCode = regexp.MustCompile("\x1b\\[[0-9;]*m")

// visibleWidth is the columns s takes on a terminal.
func visibleWidth(s string) int { return runewidth.StringWidth(ansiCode.ReplaceAllString(s, "")) }

// fitWriter fits what is written through it to a terminal's width, line
// by line as it comes: a table is held until its last line, so the
// verdict is printed as soon as it is rendered. Flush writes what is held.
type fitWriter struct {
	w       io.Writer
	width   int
	partial string   // the start of a line not ended yet
	table   []string // the lines of a table not ended yet
}

func (f *fitWriter) Write(p []byte) (int, error) {
	f.partial += string(p)
	for {
		i := strings.IndexByte(f.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := f.partial[:i+1]
		f.partial = f.partial[i+1:]
		if isTableLine(line) {
			f.table = append(f.table, line)
			continue
		}
		if err := f.flushTable(); err != nil {
			return 0, err
		}
		if _, err := io.WriteString(f.w, wrapLine(line, f.width)); err != nil {
			return 0, err
		}
	}
}

func (f *fitWriter) flushTable() error {
	if len(f.table) == 0 {
		return nil
	}
	_, err := io.WriteString(f.w, parseTable(f.table).fit(f.width).String())
	f.table = nil
	return err
}

// Flush writes what is held: a table, and a line without its newline.
func (f *fitWriter) Flush() error {
	if err := f.flushTable(); err != nil {
		return err
	}
	_, err := io.WriteString(f.w, f.partial)
	f.partial = ""
	return err
}

// fitted is w fitted to width columns (fitWriter), and the func that
// flushes it; w itself when width ≤ 0.
func fitted(w io.Writer, width int) (io.Writer, func() error) {
	if width <= 0 {
		return w, func() error { return nil }
	}
	f := &fitWriter{w: w, width: width}
	return f, f.Flush
}

// stdoutWidth is the width of the terminal stdout is; 0 when it is not one.
func (a *app) stdoutWidth() int {
	if a.width == nil || !a.isTerminal {
		return 0
	}
	return a.width()
}

// fitWidth fits text to width columns: its box tables lose columns (and
// then wrap their widest) and its other lines wrap at spaces, continued
// two spaces in. width ≤ 0 leaves text as it is.
func fitWidth(text string, width int) string {
	if width <= 0 {
		return text
	}
	lines := strings.SplitAfter(text, "\n")
	var out strings.Builder
	for i := 0; i < len(lines); {
		if isTableLine(lines[i]) {
			j := i
			for j < len(lines) && isTableLine(lines[j]) {
				j++
			}
			out.WriteString(parseTable(lines[i:j]).fit(width).String())
			i = j
			continue
		}
		out.WriteString(wrapLine(lines[i], width))
		i++
	}
	return out.String()
}

func isTableLine(l string) bool { return strings.ContainsAny(firstRune(l), "┌├└│") }

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// wrapLine wraps one line (with its newline) longer than width at spaces.
func wrapLine(line string, width int) string {
	body, nl := strings.CutSuffix(line, "\n")
	if visibleWidth(body) <= width {
		return line
	}
	wrapped := wordwrap.WrapString(body, uint(width-2))
	first, rest, _ := strings.Cut(wrapped, "\n")
	if rest != "" {
		rest = wordwrap.WrapString(strings.ReplaceAll(rest, "\n", " "), uint(width-2))
		first += "\n  " + strings.ReplaceAll(rest, "\n", "\n  ")
	}
	if nl {
		first += "\n"
	}
	return first
}

// boxTable is a rendered table: its rows of cells, each cell as printed
// (padded to its column's width), and for border rows the widths only.
type boxTable struct {
	widths []int
	rows   []boxRow
}

type boxRow struct {
	border string   // "┌┬┐", "├┼┤" or "└┴┘"; "" for a row of cells
	cells  []string // the cells, padded, without separators
}

// parseTable reads tablewriter's output back into cells.
func parseTable(lines []string) *boxTable {
	t := &boxTable{}
	for _, l := range lines {
		l = strings.TrimRight(l, "\n")
		rs := []rune(l)
		if len(rs) < 2 {
			continue
		}
		first, last := string(rs[0]), string(rs[len(rs)-1])
		inner := string(rs[1 : len(rs)-1])
		if first == "│" {
			t.rows = append(t.rows, boxRow{cells: strings.Split(inner, "│")})
			continue
		}
		sep := map[string]string{"┌": "┬", "├": "┼", "└": "┴"}[first]
		segs := strings.Split(inner, sep)
		if t.widths == nil {
			for _, s := range segs {
				t.widths = append(t.widths, utf8.RuneCountInString(s)) // ─ is one column
			}
		}
		t.rows = append(t.rows, boxRow{border: first + sep + last})
	}
	return t
}

// width is the table's width as printed.
func (t *boxTable) width() int { return 1 + len(t.widths) + sum(t.widths) }

// header is the text of the first row of cells, trimmed.
func (t *boxTable) header() []string {
	for _, r := range t.rows {
		if r.border == "" {
			out := make([]string, len(r.cells))
			for i, c := range r.cells {
				out[i] = strings.TrimSpace(ansiCode.ReplaceAllString(c, ""))
			}
			return out
		}
	}
	return nil
}

// fit drops columns in dropOrder until the table fits, then wraps its
// widest column; a table it cannot read is left as it is.
func (t *boxTable) fit(width int) *boxTable {
	for _, r := range t.rows {
		if r.border == "" && len(r.cells) != len(t.widths) {
			return t
		}
	}
	for _, name := range dropOrder {
		if t.width() <= width {
			return t
		}
		for i, h := range t.header() {
			if h == name || strings.HasPrefix(h, name+" (") {
				t.drop(i)
				break
			}
		}
	}
	if t.width() > width {
		t.wrapWidest(width)
	}
	return t
}

func (t *boxTable) drop(col int) {
	t.widths = slices.Delete(t.widths, col, col+1)
	for i := range t.rows {
		if t.rows[i].border == "" {
			t.rows[i].cells = slices.Delete(t.rows[i].cells, col, col+1)
		}
	}
}

// wrapWidest narrows the widest columns, one at a time, down to the
// width of the next widest (and never below minWrap), until the table
// fits; the cells of the columns narrowed wrap their words over as many
// lines as they need. A table that cannot fit so is left as wide.
func (t *boxTable) wrapWidest(width int) {
	const minWrap = 12 // a cell's text, padding aside
	widths := slices.Clone(t.widths)
	total := func() int { return 1 + len(widths) + sum(widths) }
	for total() > width {
		col, next := 0, 0
		for i, w := range widths {
			if w > widths[col] {
				col = i
			}
		}
		for i, w := range widths {
			if i != col && w > next {
				next = w
			}
		}
		cut := min(total()-width, widths[col]-max(next, minWrap+2))
		if cut <= 0 && widths[col] > minWrap+2 {
			cut = 1 // as wide as the next: narrow them in turn
		}
		if cut <= 0 {
			return
		}
		widths[col] -= cut
	}
	var rows []boxRow
	for _, r := range t.rows {
		if r.border != "" {
			rows = append(rows, r)
			continue
		}
		rows = append(rows, t.wrapRow(r, widths)...)
	}
	t.rows, t.widths = rows, widths
}

// wrapRow is r's cells with the columns narrowed to widths wrapped: one
// row per line of the tallest.
func (t *boxTable) wrapRow(r boxRow, widths []int) []boxRow {
	lines := make([][]string, len(widths))
	height := 1
	for i, w := range widths {
		if w == t.widths[i] {
			continue
		}
		text := strings.TrimSpace(ansiCode.ReplaceAllString(r.cells[i], ""))
		lines[i] = wrapText(text, w-2)
		height = max(height, len(lines[i]))
	}
	out := make([]boxRow, height)
	for k := range out {
		cells := make([]string, len(widths))
		for i, w := range widths {
			switch {
			case lines[i] == nil && k == 0:
				cells[i] = r.cells[i]
			case lines[i] == nil || k >= len(lines[i]):
				cells[i] = strings.Repeat(" ", w)
			default:
				cells[i] = " " + runewidth.FillRight(lines[i][k], w-2) + " "
			}
		}
		out[k] = boxRow{cells: cells}
	}
	return out
}

// wrapText wraps text at spaces into lines of at most width columns, and
// breaks a word longer than that (a metric's name) where it must.
func wrapText(text string, width int) []string {
	var out []string
	for _, l := range strings.Split(wordwrap.WrapString(text, uint(width)), "\n") {
		for runewidth.StringWidth(l) > width {
			head := runewidth.Truncate(l, width, "")
			out, l = append(out, head), l[len(head):]
		}
		out = append(out, l)
	}
	return out
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// String prints the table as tablewriter did.
func (t *boxTable) String() string {
	var b strings.Builder
	segs := make([]string, len(t.widths))
	for i, w := range t.widths {
		segs[i] = strings.Repeat("─", w)
	}
	for _, r := range t.rows {
		if r.border == "" {
			fmt.Fprintf(&b, "│%s│\n", strings.Join(r.cells, "│"))
			continue
		}
		e := []rune(r.border) // left, between, right
		fmt.Fprintf(&b, "%c%s%c\n", e[0], strings.Join(segs, string(e[1])), e[2])
	}
	return b.String()
}
