package pdf

import (
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry in millimetres (A4, portrait) and type sizes in points.
const (
	pageMargin   = 15.0
	bottomMargin = 20.0 // room for the footer
	contentWidth = 210 - 2*pageMargin
	lineHeight   = 5.0
	cellPadding  = 1.0 // above and below the text of a table row
	bodySize     = 10.0
	tableSize    = 9.0
	labelWidth   = 55.0
)

// column is one column of a table.
type column struct {
	title string
	width float64 // millimetres; a table's widths add up to contentWidth
	align string  // "L" or "R", as fpdf takes it
}

// layout draws blocks top to bottom and starts a new page when the next
// block would not fit, so a table row is never cut across pages.
type layout struct {
	f *fpdf.Fpdf
}

// lines wraps s to the width of a cell in the current font, breaking after
// spaces and hyphens, so "Ахметова-Сулейменова" may end a line at its hyphen.
// A word still wider than the cell is cut where it reaches the edge:
// MultiCell does not hyphenate, and an overflowing name would print over
// the next column.
func (l layout) lines(s string, width float64) []string {
	avail := width - 2*l.f.GetCellMargin()
	fits := func(s string) bool { return l.f.GetStringWidth(strings.TrimRight(s, " ")) <= avail }
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range words(para) {
			if fits(line + word) {
				line += word
				continue
			}
			if line != "" {
				out = append(out, strings.TrimRight(line, " "))
			}
			for !fits(word) {
				r := []rune(word)
				n := 1
				for n < len(r) && fits(string(r[:n+1])) {
					n++
				}
				out = append(out, string(r[:n]))
				word = string(r[n:])
			}
			line = word
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// words splits s after every space and hyphen, keeping them, so that
// joining the words gives s back.
func words(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == ' ' || r == '-' {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// fits moves to a new page unless height millimetres still fit on this one,
// and reports whether it did not.
func (l layout) fits(height float64) bool {
	_, pageH := l.f.GetPageSize()
	if l.f.GetY()+height <= pageH-bottomMargin {
		return true
	}
	l.f.AddPage()
	return false
}

// heading starts a section.
func (l layout) heading(text string) {
	l.f.SetFont(family, "B", bodySize+2)
	// Keep a heading with at least one line of what follows it.
	l.fits(3 + lineHeight + 2 + 2*lineHeight)
	l.f.Ln(3)
	l.f.CellFormat(contentWidth, lineHeight+2, text, "", 1, "L", false, 0, "")
	l.f.Ln(1)
}

// paragraph writes free text across the page.
func (l layout) paragraph(text string) {
	l.f.SetFont(family, "", bodySize)
	l.f.SetX(pageMargin)
	l.f.MultiCell(contentWidth, lineHeight, text, "", "L", false)
}

// field writes a label and its value side by side, wrapping the value.
func (l layout) field(label, value string) {
	l.row([]column{{width: labelWidth, align: "L"}, {width: contentWidth - labelWidth, align: "L"}},
		[]string{label + ":", orNone(value)}, bodySize, "", false)
}

// table writes a header row and the rows under it; the header is repeated
// on every page the table continues on.
func (l layout) table(cols []column, rows [][]string) {
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.title
	}
	l.row(cols, header, tableSize, "B", true)
	for _, r := range rows {
		if !l.fits(l.rowHeight(cols, r, tableSize, "", true)) {
			l.row(cols, header, tableSize, "B", true)
		}
		l.row(cols, r, tableSize, "", true)
	}
}

// rowHeight is how tall a row of cells is once every cell is wrapped.
func (l layout) rowHeight(cols []column, cells []string, size float64, style string, grid bool) float64 {
	l.f.SetFont(family, style, size)
	n := 1
	for i, c := range cells {
		n = max(n, len(l.lines(c, cols[i].width)))
	}
	h := float64(n) * lineHeight
	if grid {
		h += 2 * cellPadding
	}
	return h
}

// row writes one row of cells, as tall as its longest wrapped cell;
// grid draws the cell borders and shades a header row.
func (l layout) row(cols []column, cells []string, size float64, style string, grid bool) {
	h := l.rowHeight(cols, cells, size, style, grid)
	l.fits(h)
	l.f.SetFont(family, style, size)
	x, y := pageMargin, l.f.GetY()
	top := y
	if grid {
		top += cellPadding
	}
	for i, c := range cells {
		w := cols[i].width
		if grid {
			mode := "D"
			if style == "B" {
				mode = "FD"
			}
			l.f.Rect(x, y, w, h, mode)
		}
		for j, line := range l.lines(c, w) {
			l.f.SetXY(x, top+float64(j)*lineHeight)
			l.f.CellFormat(w, lineHeight, line, "", 0, cols[i].align, false, 0, "")
		}
		x += w
	}
	l.f.SetXY(pageMargin, y+h)
}

// centred writes text centred across the page in the current font, wrapped
// if it is wider than the page.
func (l layout) centred(text string, height float64) {
	for _, line := range l.lines(text, contentWidth) {
		l.f.CellFormat(contentWidth, height, line, "", 1, "C", false, 0, "")
	}
}
