package text_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet/kabinet/internal/text"
)

func TestStorable(t *testing.T) {
	for s, want := range map[string]bool{
		"":                   true,
		"Сарсенова Айгерим":  true,
		"tab\tand newline\n": true,
		"a\x00b":             false,
		"\x00":               false,
		"Camry \xff":         false,
		"\xd0":               false, // the first byte of a Cyrillic letter alone
		"\xed\xa0\x80":       false, // a UTF-16 surrogate written as UTF-8
	} {
		assert.Equal(t, want, text.Storable(s), "%q", s)
	}
}

type kbm struct {
	Class string `json:"class"`
}

type person struct {
	Name string `json:"name"`
	KBM  *kbm   `json:"kbm,omitempty"`
}

type Embedded struct {
	Note string `json:"note"`
}

type record struct {
	Embedded
	ID       string            `json:"id"`
	Holder   person            `json:"holder"`
	Drivers  []person          `json:"drivers"`
	Pair     [2]string         `json:"pair"`
	Labels   map[string]string `json:"labels"`
	Any      any               `json:"any"`
	Scan     []byte            `json:"scan"`
	Untagged string
	Skipped  string `json:"-"`
	hidden   string
}

func TestUnstorableNamesTheField(t *testing.T) {
	bad := "x\x00y"
	for _, tc := range []struct {
		name string
		in   func(r *record)
		want string
	}{
		{"top-level field", func(r *record) { r.ID = bad }, "id"},
		{"nested field", func(r *record) { r.Holder.Name = bad }, "holder.name"},
		{"through a pointer", func(r *record) { r.Holder.KBM = &kbm{Class: "\xff"} }, "holder.kbm.class"},
		{"slice element", func(r *record) { r.Drivers = []person{{Name: "ok"}, {Name: bad}} }, "drivers[1].name"},
		{"array element", func(r *record) { r.Pair[1] = bad }, "pair[1]"},
		{"map value", func(r *record) { r.Labels = map[string]string{"k": bad} }, "labels"},
		{"map key", func(r *record) { r.Labels = map[string]string{bad: "v"} }, "labels"},
		{"interface", func(r *record) { r.Any = []string{bad} }, "any[0]"},
		{"embedded struct", func(r *record) { r.Note = bad }, "note"},
		{"field without a tag", func(r *record) { r.Untagged = bad }, "Untagged"},
		{"field left out of JSON", func(r *record) { r.Skipped = bad }, "Skipped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := record{ID: "CHG-1", Holder: person{Name: "Сарсенова Айгерим"}}
			tc.in(&r)
			field, found := text.Unstorable(&r)
			assert.True(t, found)
			assert.Equal(t, tc.want, field)
		})
	}

	field, found := text.Unstorable(bad)
	assert.True(t, found, "a string alone")
	assert.Empty(t, field)
}

func TestUnstorableLetsStorableValuesThrough(t *testing.T) {
	r := record{
		ID: "CHG-1", Holder: person{Name: "Сарсенова Айгерим", KBM: &kbm{Class: "3"}},
		Drivers: []person{{Name: "Абенов Ерлан"}}, Labels: map[string]string{"вид": "ОГПО"},
		Scan:   []byte{0, 0xff}, // binary may hold any byte
		hidden: "\x00",          // unexported: not the caller's data
	}
	_, found := text.Unstorable(r)
	assert.False(t, found)
	_, found = text.Unstorable(nil)
	assert.False(t, found)
	_, found = text.Unstorable((*record)(nil))
	assert.False(t, found)
}

func FuzzReplace(f *testing.F) {
	for _, s := range []string{"", "ok", "a\x00b", "Camry \xff\xfe", "\xd0", "Сарсенова\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := text.Replace(s)
		if !text.Storable(got) {
			t.Fatalf("Replace(%q) = %q, not storable", s, got)
		}
		if text.Storable(s) && got != s {
			t.Fatalf("Replace changed storable %q into %q", s, got)
		}
		if !text.Storable(s) && utf8.RuneCountInString(got) == 0 {
			t.Fatalf("Replace(%q) dropped everything", s)
		}
	})
}

func TestClipCutsAtACharacterBoundary(t *testing.T) {
	assert.Equal(t, "Айгерим", text.Clip("Айгерим", 14), "a string that fits is kept")
	assert.Equal(t, "Ай…", text.Clip("Айгерим", 5), "the cut falls back to the start of a character")
	assert.Equal(t, "Ай…", text.Clip("Айгерим", 4))
	assert.Equal(t, "ab…", text.Clip("ab\xffcdef", 3), "what is kept is valid UTF-8")
	assert.Equal(t, "…", text.Clip("Ж", 1))
}
