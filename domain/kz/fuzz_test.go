package kz_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/kz"
)

// echoes reports whether an error text repeats the digits of the input: the
// sentinels promise that a refusal never carries the number it refused, so
// a log line with the error holds no identifier. Runs shorter than six
// digits are not identifiers and may coincide with counts in the text.
func echoes(err error, in string) bool {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, in)
	return len(digits) >= 6 && strings.Contains(err.Error(), digits)
}

// FuzzParseBIN checks the BIN parser on its own: what it accepts is twelve
// ASCII digits that read back the same through text and JSON; what it
// refuses is refused with one of the BIN sentinels and without the input.
func FuzzParseBIN(f *testing.F) {
	for _, s := range []string{
		"900115300401", "900115300003", " 900115300401\t", "900115300004", "900115301200",
		"12345678901", "1234567890123", "12345678901x", "", "٩٠٠١١٥٣٠٠٤٠١", "9001153004０1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := kz.ParseBIN(s)
		if err != nil {
			assert.True(t, b.IsZero())
			assert.True(t, errors.Is(err, kz.ErrBINLength) || errors.Is(err, kz.ErrBINDigits) ||
				errors.Is(err, kz.ErrBINChecksum) || errors.Is(err, kz.ErrBINNeverIssued), "an unnamed refusal: %v", err)
			assert.False(t, echoes(err, s), "the error repeats the input: %v", err)
			return
		}
		require.Len(t, b.String(), 12)
		for _, r := range b.String() {
			require.True(t, r >= '0' && r <= '9', "%q", b.String())
		}
		assert.Equal(t, strings.TrimSpace(s), b.String(), "only surrounding spaces are dropped")

		txt, err := b.MarshalText()
		require.NoError(t, err)
		var back kz.BIN
		require.NoError(t, back.UnmarshalText(txt))
		assert.Equal(t, b, back)

		type doc struct {
			BIN kz.BIN `json:"bin"`
		}
		data, err := json.Marshal(doc{BIN: b})
		require.NoError(t, err)
		var d doc
		require.NoError(t, json.Unmarshal(data, &d))
		assert.Equal(t, b, d.BIN)
	})
}

// FuzzCompleteIIN checks the generator of demo and test IINs: whatever it
// completes parses as an IIN that starts with the given digits, and eleven
// ASCII digits are refused only as never issued.
func FuzzCompleteIIN(f *testing.F) {
	for _, s := range []string{"90011530000", "90011530120", "85123140000", "", "9001153000", "9001153000a", "٩٠٠١١٥٣٠٠٠٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, first11 string) {
		iin, err := kz.CompleteIIN(first11)
		if err != nil {
			assert.True(t, iin.IsZero())
			if len(first11) == 11 && strings.IndexFunc(first11, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
				assert.ErrorIs(t, err, kz.ErrIINNeverIssued, "eleven digits are refused only when no check digit exists")
			}
			assert.False(t, echoes(err, first11), "the error repeats the input: %v", err)
			return
		}
		require.True(t, strings.HasPrefix(iin.String(), first11), "%s does not start with %q", iin, first11)
		again, err := kz.ParseIIN(iin.String())
		require.NoError(t, err)
		assert.Equal(t, iin, again)
	})
}

// FuzzPhoneText reads phones as JSON and text do: an accepted phone is
// E.164, reads back the same and its mask hides the subscriber digits; a
// refused one is refused with a phone sentinel, without its digits.
func FuzzPhoneText(f *testing.F) {
	for _, s := range []string{
		`"+77011234567"`, `"8 (701) 123-45-67"`, `"+7 916 123 45 67"`, `"+7 727 123 45 67"`, `""`, `null`,
		`77011234567`, `"\u00a0+7 701 1234567"`, `"+7\t701\t123\t45\t67"`, `"+77011234567"x`, `"` + strings.Repeat("7", 50) + `"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p kz.Phone
		err := json.Unmarshal(data, &p)
		if err != nil {
			assert.True(t, p.IsZero())
			var s string
			if json.Unmarshal(data, &s) == nil {
				// A JSON string the parser refused.
				assert.True(t, errors.Is(err, kz.ErrPhoneFormat) || errors.Is(err, kz.ErrPhoneNotKZ) ||
					errors.Is(err, kz.ErrPhoneNotMobile), "an unnamed refusal: %v", err)
				assert.False(t, echoes(err, s), "the error repeats the input: %v", err)
			}
			return
		}
		if p.IsZero() {
			return // "" and null are no phone
		}
		e := p.String()
		require.True(t, strings.HasPrefix(e, "+77") && len(e) == 12, "%q", e)
		masked := p.Masked()
		assert.NotContains(t, masked, e[5:10], "the mask hides the subscriber's number")

		out, err := json.Marshal(p)
		require.NoError(t, err)
		var back kz.Phone
		require.NoError(t, json.Unmarshal(out, &back))
		assert.Equal(t, p, back)
	})
}
