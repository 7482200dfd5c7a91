package policy

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDate(t *testing.T) {
	d := MustParseDate("2024-02-29")
	assert.Equal(t, Date{2024, time.February, 29}, d)
	assert.Equal(t, "2024-02-29", d.String())
	assert.True(t, d.Valid())
	assert.Equal(t, MustParseDate("2024-03-01"), d.AddDays(1))
	assert.Equal(t, MustParseDate("2023-12-31"), MustParseDate("2024-01-01").AddDays(-1))
	assert.True(t, d.Before(d.AddDays(1)))
	assert.True(t, d.After(d.AddDays(-1)))
	assert.Equal(t, 0, d.Compare(Date{2024, 2, 29}))
	assert.True(t, MustParseDate("2024-12-31").Before(MustParseDate("2025-01-01")))
	assert.True(t, MustParseDate("2025-01-31").Before(MustParseDate("2025-02-01")))

	assert.False(t, Date{2023, 2, 29}.Valid())
	assert.False(t, Date{}.Valid())
	assert.True(t, Date{}.IsZero())
	assert.Equal(t, "", Date{}.String())

	for _, bad := range []string{"2023-02-29", "0000-01-01", "2024-2-1", "01.03.2025", "", "2025-03-01T00:00:00Z"} {
		_, err := ParseDate(bad)
		assert.Error(t, err, bad)
	}
}

// A day in Almaty starts five hours before the same day in UTC; DateOf reads
// the day in the time's own zone, so the caller decides the zone.
func TestDateOfUsesTheTimesZone(t *testing.T) {
	almaty := time.FixedZone("UTC+5", 5*3600)
	utcEvening := time.Date(2025, 3, 1, 20, 30, 0, 0, time.UTC)
	assert.Equal(t, MustParseDate("2025-03-01"), DateOf(utcEvening))
	assert.Equal(t, MustParseDate("2025-03-02"), DateOf(utcEvening.In(almaty)))
	assert.Equal(t, time.Date(2025, 3, 2, 0, 0, 0, 0, almaty), MustParseDate("2025-03-02").In(almaty))
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		On   Date `json:"on"`
		Else Date `json:"else,omitzero"`
	}
	b, err := json.Marshal(doc{On: MustParseDate("2025-03-01")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"on":"2025-03-01"}`, string(b))
	var back doc
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, MustParseDate("2025-03-01"), back.On)

	_, err = json.Marshal(doc{On: Date{2025, 2, 30}})
	assert.Error(t, err, "an impossible day must not be written")
	assert.Error(t, json.Unmarshal([]byte(`{"on":"2025-02-30"}`), &back))
	require.NoError(t, json.Unmarshal([]byte(`{"on":""}`), &back))
	assert.True(t, back.On.IsZero())
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-03-01", "2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31", "", "2025-13-01", "+2025-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		require.True(t, d.Valid(), "parsed %q into %#v", s, d)
		require.Equal(t, s, d.String(), "ParseDate accepts only the canonical form")
		back, err := ParseDate(d.String())
		require.NoError(t, err)
		require.Equal(t, d, back)
	})
}
