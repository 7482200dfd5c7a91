package money_test

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
)

// FuzzUnmarshalJSON reads amounts as the APIs and the event store do: an
// accepted amount writes back as a JSON string that reads the same, and a
// JSON string that is refused is refused with a money sentinel, quoting at
// most a bounded piece of it however long it was.
func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range []string{
		`"1500.50"`, `"1 500,50"`, `"-0.01"`, `"0"`, `null`, `1500.5`, `""`, `"NaN"`, `"1e3"`, `"١٥٠٠"`,
		`"999999999999999.99"`, `"9999999999999999"`, `"1.234"`, `"\u00a0100"`, `"1\u202f000.00"`, `{"a":1}`, `"` + string([]byte{0xff, 0xfe}) + `"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m money.KZT
		err := m.UnmarshalJSON(data)
		if err != nil {
			assert.True(t, m.IsZero(), "a refusal leaves the amount as it was")
			var s string
			if json.Unmarshal(data, &s) == nil {
				assert.True(t, errors.Is(err, money.ErrEmpty) || errors.Is(err, money.ErrSyntax) || errors.Is(err, money.ErrGrouping) ||
					errors.Is(err, money.ErrPrecision) || errors.Is(err, money.ErrRange), "an unnamed refusal: %v", err)
				assert.LessOrEqual(t, utf8.RuneCountInString(err.Error()), 1024, "the error quotes a bounded piece of the input")
			}
			return
		}
		out, err := json.Marshal(m)
		require.NoError(t, err)
		var back money.KZT
		require.NoError(t, json.Unmarshal(out, &back), "%s", out)
		assert.True(t, back.Equal(m), "%s -> %s -> %s", data, out, back)
		assert.Equal(t, m, back)
	})
}
