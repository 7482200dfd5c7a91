package money_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want string
		tiyn int64
	}{
		{"1500", "1500.00", 150000},
		{"1500.5", "1500.50", 150050},
		{"1500.50", "1500.50", 150050},
		{"1500,50", "1500.50", 150050},
		{"1 500,50", "1500.50", 150050},
		{"1\u00a0500,50", "1500.50", 150050},
		{"1\u202f500.5", "1500.50", 150050},
		{"12 345 678.09", "12345678.09", 1234567809},
		{"  42  ", "42.00", 4200},
		{"0", "0.00", 0},
		{"0.01", "0.01", 1},
		{"-200.5", "-200.50", -20050},
		{"-0", "0.00", 0},
		{"007", "7.00", 700},
		{"999999999999999.99", "999999999999999.99", 99999999999999999},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := money.Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
			assert.Equal(t, tt.tiyn, got.Tiyn())
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		in      string
		wantErr error
	}{
		{"", money.ErrEmpty},
		{"   ", money.ErrEmpty},
		{"abc", money.ErrSyntax},
		{"15a0", money.ErrSyntax},
		{"1500 KZT", money.ErrSyntax},
		{"1e3", money.ErrSyntax},
		{"1.5e2", money.ErrSyntax},
		{"1E3", money.ErrSyntax},
		{"NaN", money.ErrSyntax},
		{"Inf", money.ErrSyntax},
		{"+100", money.ErrSyntax},
		{"--1", money.ErrSyntax},
		{"0x10", money.ErrSyntax},
		{".5", money.ErrSyntax},
		{"1500.", money.ErrSyntax},
		{"1.500,50", money.ErrSyntax},
		{"1,500.50", money.ErrSyntax},
		{"1.2.3", money.ErrSyntax},
		{"1500.5a", money.ErrSyntax},
		{"-", money.ErrSyntax},
		{"1500.555", money.ErrPrecision},
		{"1,500", money.ErrPrecision},
		{"0.001", money.ErrPrecision},
		{"15 00", money.ErrGrouping},
		{"1500 000", money.ErrGrouping},
		{"1  500", money.ErrGrouping},
		{"1 500 ,50", money.ErrGrouping},
		{"1000000000000000", money.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := money.Parse(tt.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestParseErrorNamesTheRule(t *testing.T) {
	_, err := money.Parse("1500.555")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than 2 decimal places")
	assert.Contains(t, err.Error(), `"1500.555"`)
}

func TestArithmetic(t *testing.T) {
	a := money.MustParse("1500.50")
	b := money.MustParse("200.75")

	assert.Equal(t, "1701.25", a.Add(b).String())
	assert.Equal(t, "1299.75", a.Sub(b).String())
	assert.Equal(t, "-1500.50", a.Neg().String())
	assert.Equal(t, 1, a.Cmp(b))
	assert.Equal(t, -1, b.Cmp(a))
	assert.Equal(t, 0, a.Cmp(money.MustParse("1 500,5")))
	assert.True(t, b.LessThan(a))
	assert.False(t, a.LessThan(a))
	assert.True(t, a.Equal(money.FromTiyn(150050)))
	assert.True(t, a.IsPositive())
	assert.True(t, a.Neg().IsNegative())
	assert.True(t, a.Sub(a).IsZero())
	assert.True(t, money.Zero.IsZero())
	assert.Equal(t, "0.00", money.Zero.String())
	assert.Equal(t, int64(0), money.Zero.Tiyn())
	assert.True(t, money.Zero.Decimal().Equal(decimal.Zero))
	assert.True(t, a.Decimal().Equal(decimal.RequireFromString("1500.5")))
}

func TestEqualAmountsAreDeeplyEqual(t *testing.T) {
	// States holding amounts are compared with assert.Equal in replay tests; that must
	// agree with Equal no matter how the amount was reached.
	a := money.MustParse("100").Add(money.MustParse("0.50")).Sub(money.MustParse("0.5"))
	assert.Equal(t, money.MustParse("100.00"), a)
	assert.Equal(t, money.FromTiyn(10000), a)
	assert.Equal(t, money.Zero, money.MustParse("5").Sub(money.MustParse("5.00")))
	assert.Equal(t, money.KZT{}, money.FromTiyn(0))
}

func TestMulRatioRoundsHalfAwayFromZero(t *testing.T) {
	tests := []struct {
		amount, ratio, want string
	}{
		{"1000.00", "0.01", "10.00"},
		{"0.05", "0.5", "0.03"},
		{"0.05", "-0.5", "-0.03"},
		{"0.01", "0.49", "0.00"},
		{"33.33", "0.333", "11.10"},
		{"1500.50", "1", "1500.50"},
	}
	for _, tt := range tests {
		got := money.MustParse(tt.amount).MulRatio(decimal.RequireFromString(tt.ratio))
		assert.Equal(t, tt.want, got.String(), "%s × %s", tt.amount, tt.ratio)
	}
}

func TestFromTiynRoundTrip(t *testing.T) {
	for _, tiyn := range []int64{0, 1, -1, 99, 100, 150050, math.MaxInt64, math.MinInt64 + 1} {
		assert.Equal(t, tiyn, money.FromTiyn(tiyn).Tiyn())
	}
	assert.Equal(t, "-0.05", money.FromTiyn(-5).String())
}

func TestMustParsePanicsOnBadInput(t *testing.T) {
	assert.Panics(t, func() { money.MustParse("1.234") })
}

func TestJSON(t *testing.T) {
	type payment struct {
		Amount money.KZT `json:"amount"`
	}
	b, err := json.Marshal(payment{Amount: money.MustParse("1 500,5")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":"1500.50"}`, string(b))

	var got payment
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, money.MustParse("1500.50"), got.Amount)

	assert.Error(t, json.Unmarshal([]byte(`{"amount":1500.5}`), &got), "a JSON number is refused")
	err = json.Unmarshal([]byte(`{"amount":"1500.555"}`), &got)
	assert.ErrorIs(t, err, money.ErrPrecision)

	keep := payment{Amount: money.MustParse("7")}
	require.NoError(t, json.Unmarshal([]byte(`{"amount":null}`), &keep))
	assert.Equal(t, "7.00", keep.Amount.String())
}

func TestText(t *testing.T) {
	m := money.MustParse("-12.3")
	b, err := m.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "-12.30", string(b))

	var got money.KZT
	require.NoError(t, got.UnmarshalText(b))
	assert.True(t, got.Equal(m))
	assert.ErrorIs(t, got.UnmarshalText([]byte("x")), money.ErrSyntax)

	keys := map[money.KZT]int{} // text marshalling also makes KZT usable as a JSON map key
	keys[m] = 1
	kb, err := json.Marshal(keys)
	require.NoError(t, err)
	assert.JSONEq(t, `{"-12.30":1}`, string(kb))
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"1500", "1500.5", "1500.50", "1 500,50", "1\u00a0500,50", "-0.01", "", "NaN",
		"1e3", "1.234", "15 00", "999999999999999.99", "1000000000000000", "٣", "1\u2009000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := money.Parse(s)
		if err != nil {
			return
		}
		again, err := money.Parse(m.String())
		require.NoError(t, err, "String() of a parsed amount must parse: %q", m.String())
		assert.True(t, again.Equal(m), "%q -> %s -> %s", s, m, again)
		assert.Equal(t, m, again, "equal amounts must be deeply equal")
		assert.Equal(t, m, money.FromTiyn(m.Tiyn()))
	})
}
