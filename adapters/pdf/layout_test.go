package pdf

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinesFitTheirCell(t *testing.T) {
	l := layout{f: newDocument(time.Time{})}
	l.f.AddPage()
	l.f.SetFont(family, "", tableSize)
	const width = 30.0
	avail := width - 2*l.f.GetCellMargin()

	for _, tc := range []struct {
		name, text string
		want       []string // nil: only check that every line fits and nothing is lost
	}{
		{name: "empty", text: "", want: []string{""}},
		{name: "short", text: "Иванов И.", want: []string{"Иванов И."}},
		{name: "breaks at spaces", text: "Жаксылыков Нурлан Серикович", want: []string{"Жаксылыков", "Нурлан", "Серикович"}},
		{name: "breaks after a hyphen", text: "Ахметова-Сулейменова", want: []string{"Ахметова-", "Сулейменова"}},
		{name: "newline", text: "а\nб", want: []string{"а", "б"}},
		{name: "cuts a word wider than the cell", text: strings.Repeat("Щ", 40)},
		{name: "mixed", text: "Кенжебаевна " + strings.Repeat("Ж", 25) + "-Ли Ким"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := l.lines(tc.text, width)
			if tc.want != nil {
				assert.Equal(t, tc.want, got)
			}
			require.NotEmpty(t, got)
			for _, line := range got {
				assert.LessOrEqual(t, l.f.GetStringWidth(line), avail, "line %q overflows", line)
			}
			strip := func(s string) string { return strings.NewReplacer(" ", "", "\n", "").Replace(s) }
			assert.Equal(t, strip(tc.text), strip(strings.Join(got, "")), "text lost in wrapping")
		})
	}
}
