package kz_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/kz"
)

func TestParseIIN(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"valid 1990 male", "900115300003", nil},
		{"valid 1985 female", "851231400001", nil},
		{"valid 2005 female", "050720600002", nil},
		{"valid with second weights", "900115300401", nil},
		{"surrounding spaces trimmed", " 900115300003\n", nil},
		{"valid with a date that does not exist", "991399300008", nil},
		{"valid with century digit 0", "900115000004", nil},
		{"wrong check digit", "900115300004", kz.ErrIINChecksum},
		{"never issued", "900115301200", kz.ErrIINNeverIssued},
		{"11 digits", "12345678901", kz.ErrIINLength},
		{"13 digits", "9001153000030", kz.ErrIINLength},
		{"empty", "", kz.ErrIINLength},
		{"letter", "90011530000A", kz.ErrIINDigits},
		{"inner space", "900115 30003", kz.ErrIINDigits},
		{"arabic-indic digit", "90011530000٣", kz.ErrIINLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kz.ParseIIN(tt.in)
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				assert.True(t, got.IsZero())
				return
			}
			require.NoError(t, err)
			assert.Len(t, got.String(), 12)
			assert.Contains(t, tt.in, got.String())
		})
	}
}

func TestSecondWeightsAreNeeded(t *testing.T) {
	// Pins the branch: with weights 1..11 this number sums to 10 mod 11, so a parser
	// that skipped the second weights would refuse it.
	digits := "900115300401"
	sum := 0
	for i := 0; i < 11; i++ {
		sum += int(digits[i]-'0') * (i + 1)
	}
	require.Equal(t, 10, sum%11)
	_, err := kz.ParseIIN(digits)
	assert.NoError(t, err)
}

func TestIINErrorsDoNotEchoTheNumber(t *testing.T) {
	for _, in := range []string{"900115300004", "900115301200", "12345678901", "90011530000A"} {
		_, err := kz.ParseIIN(in)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), in)
		assert.NotContains(t, err.Error(), in[:6])
	}
}

func TestIINBirthDateAndSex(t *testing.T) {
	tests := []struct {
		in       string
		wantDate string // "" means ok=false
		wantSex  kz.Sex
		sexOK    bool
	}{
		{"900115300003", "1990-01-15", kz.SexMale, true},
		{"851231400001", "1985-12-31", kz.SexFemale, true},
		{"050720600002", "2005-07-20", kz.SexFemale, true},
		{"991399300008", "", kz.SexMale, true},
		{"900115000004", "", kz.SexUnknown, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v := kz.MustParseIIN(tt.in)
			d, ok := v.BirthDate()
			if tt.wantDate == "" {
				assert.False(t, ok)
				assert.True(t, d.IsZero())
			} else {
				require.True(t, ok)
				assert.Equal(t, tt.wantDate, d.Format(time.DateOnly))
			}
			sex, ok := v.Sex()
			assert.Equal(t, tt.sexOK, ok)
			assert.Equal(t, tt.wantSex, sex)
		})
	}
}

func TestIINCenturyDigits(t *testing.T) {
	// Century and sex come from the 7th digit alone; build numbers with a valid check
	// digit for each value so the table covers all of 1–6.
	for c, want := range map[byte]struct {
		year int
		sex  kz.Sex
	}{
		'1': {1890, kz.SexMale}, '2': {1890, kz.SexFemale},
		'3': {1990, kz.SexMale}, '4': {1990, kz.SexFemale},
		'5': {2090, kz.SexMale}, '6': {2090, kz.SexFemale},
	} {
		v := kz.MustParseIIN(withCheckDigit(t, "900115"+string(c)+"0000"))
		d, ok := v.BirthDate()
		require.True(t, ok)
		assert.Equal(t, want.year, d.Year(), "century digit %c", c)
		s, ok := v.Sex()
		require.True(t, ok)
		assert.Equal(t, want.sex, s, "century digit %c", c)
	}
}

func TestLeapDay(t *testing.T) {
	_, ok := kz.MustParseIIN(withCheckDigit(t, "00022950000")).BirthDate()
	assert.True(t, ok, "29 Feb 2000 exists")
	_, ok = kz.MustParseIIN(withCheckDigit(t, "00022930000")).BirthDate()
	assert.False(t, ok, "29 Feb 1900 does not")
}

// withCheckDigit completes 11 digits with the first check digit 0–9 that ParseIIN
// accepts.
func withCheckDigit(t *testing.T, eleven string) string {
	t.Helper()
	for k := '0'; k <= '9'; k++ {
		if _, err := kz.ParseIIN(eleven + string(k)); err == nil {
			return eleven + string(k)
		}
	}
	t.Fatalf("no check digit for %s", eleven)
	return ""
}

func TestIINText(t *testing.T) {
	type client struct {
		IIN kz.IIN `json:"iin"`
	}
	b, err := json.Marshal(client{IIN: kz.MustParseIIN("900115300003")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"iin":"900115300003"}`, string(b))

	var got client
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, kz.MustParseIIN("900115300003"), got.IIN)

	b, err = json.Marshal(client{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"iin":""}`, string(b))
	require.NoError(t, json.Unmarshal(b, &got))
	assert.True(t, got.IIN.IsZero())

	assert.ErrorIs(t, json.Unmarshal([]byte(`{"iin":"900115300004"}`), &got), kz.ErrIINChecksum)
}

func TestIINMasked(t *testing.T) {
	assert.Equal(t, "9001******03", kz.MustParseIIN("900115300003").Masked())
	assert.Equal(t, "", kz.IIN{}.Masked())
	assert.Panics(t, func() { kz.MustParseIIN("1") })
}

func TestParseBIN(t *testing.T) {
	tests := []struct {
		in      string
		wantErr error
	}{
		{"900115300003", nil},
		{"900115300401", nil},
		{"900115300004", kz.ErrBINChecksum},
		{"900115301200", kz.ErrBINNeverIssued},
		{"12345678901", kz.ErrBINLength},
		{"12345678901x", kz.ErrBINDigits},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := kz.ParseBIN(tt.in)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.NotContains(t, err.Error(), tt.in)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.in, got.String())
		})
	}

	var b kz.BIN
	require.NoError(t, b.UnmarshalText([]byte("900115300401")))
	txt, err := b.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "900115300401", string(txt))
	require.NoError(t, b.UnmarshalText(nil))
	assert.True(t, b.IsZero())
	assert.Error(t, b.UnmarshalText([]byte("1")))
	assert.Equal(t, kz.MustParseBIN("900115300003").String(), "900115300003")
}

func FuzzParseIIN(f *testing.F) {
	for _, s := range []string{
		"900115300003", "851231400001", "050720600002", "900115300401",
		"900115300004", "900115301200", "12345678901", "", " 900115300003 ", "99999999999٣",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := kz.ParseIIN(s)
		b, berr := kz.ParseBIN(s)
		assert.Equal(t, err == nil, berr == nil, "IIN and BIN share the checksum")
		if err != nil {
			assert.True(t, v.IsZero())
			return
		}
		again, err := kz.ParseIIN(v.String())
		require.NoError(t, err)
		assert.Equal(t, v, again)
		assert.Equal(t, v.String(), b.String())
		// Hints never panic, whatever the digits.
		v.BirthDate()
		v.Sex()
		assert.Len(t, v.Masked(), 12)
	})
}

func TestCompleteIIN(t *testing.T) {
	for _, want := range []string{"900115300003", "851231400001", "050720600002", "900115300401"} {
		got, err := kz.CompleteIIN(want[:11])
		if err != nil || got.String() != want {
			t.Errorf("kz.CompleteIIN(%s) = %v, %v; want %s", want[:11], got, err, want)
		}
	}
	if _, err := kz.CompleteIIN("90011530120"); !errors.Is(err, kz.ErrIINNeverIssued) {
		t.Errorf("never issued: got %v", err)
	}
	if _, err := kz.CompleteIIN("9001153000"); !errors.Is(err, kz.ErrIINLength) {
		t.Errorf("short: got %v", err)
	}
	if _, err := kz.CompleteIIN("9001153000a"); !errors.Is(err, kz.ErrIINDigits) {
		t.Errorf("letters: got %v", err)
	}
}
