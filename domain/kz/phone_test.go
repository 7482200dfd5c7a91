package kz_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/kz"
)

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"+77011234567", "+77011234567", nil},
		{"+7 (701) 123-45-67", "+77011234567", nil},
		{"+7(701)1234567", "+77011234567", nil},
		{"8 701 123 45 67", "+77011234567", nil},
		{"87011234567", "+77011234567", nil},
		{"8-701-123-45-67", "+77011234567", nil},
		{"7 701 123 45 67", "+77011234567", nil},
		{"77011234567", "+77011234567", nil},
		{"701 123 45 67", "+77011234567", nil},
		{"  +7 747 000\u00a000 00 ", "+77470000000", nil},
		{"+7 700 1234567", "+77001234567", nil},
		{"+7 702 1234567", "+77021234567", nil},
		{"+7 705 1234567", "+77051234567", nil},
		{"+7 708 1234567", "+77081234567", nil},
		{"+7 760 1234567", "+77601234567", nil},
		{"+7 764 1234567", "+77641234567", nil},
		{"+7 771 1234567", "+77711234567", nil},
		{"+7 775 1234567", "+77751234567", nil},
		{"+7 778 1234567", "+77781234567", nil},
		{"+7 785 1234567", "+77851234567", nil},

		{"+7 916 123 45 67", "", kz.ErrPhoneNotKZ},
		{"8 916 123 45 67", "", kz.ErrPhoneNotKZ},
		{"+7 495 123 45 67", "", kz.ErrPhoneNotKZ},
		{"+380 44 123 4567", "", kz.ErrPhoneNotKZ},
		{"+8 701 123 45 67", "", kz.ErrPhoneNotKZ},
		{"+7 703 1234567", "", kz.ErrPhoneNotMobile},
		{"+7 709 1234567", "", kz.ErrPhoneNotMobile},
		{"+7 727 1234567", "", kz.ErrPhoneNotMobile},
		{"+7 765 1234567", "", kz.ErrPhoneNotMobile},
		{"+7 779 1234567", "", kz.ErrPhoneNotMobile},
		{"", "", kz.ErrPhoneFormat},
		{"+", "", kz.ErrPhoneFormat},
		{"+7 701 123 45 6", "", kz.ErrPhoneFormat},
		{"+7 701 123 45 678", "", kz.ErrPhoneFormat},
		{"9 701 123 45 67", "", kz.ErrPhoneFormat},
		{"8 701 123.45.67", "", kz.ErrPhoneFormat},
		{"+7 701 123 45 6x", "", kz.ErrPhoneFormat},
		{"7+7011234567", "", kz.ErrPhoneFormat},
		{"++77011234567", "", kz.ErrPhoneFormat},
		{strings.Repeat(" ", 50) + "87011234567", "", kz.ErrPhoneFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := kz.ParsePhone(tt.in)
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				assert.True(t, got.IsZero())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestRussianPhoneMessageIsClear(t *testing.T) {
	_, err := kz.ParsePhone("+7 916 123 45 67")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Russian")
	assert.Contains(t, err.Error(), "not a Kazakhstan number")
}

func TestPhoneErrorsDoNotEchoTheNumber(t *testing.T) {
	for _, in := range []string{"+7 916 123 45 67", "+7 727 1234567", "+7 701 123 45 6x", "+7 701 123 45 678"} {
		_, err := kz.ParsePhone(in)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "1234")
		assert.NotContains(t, err.Error(), "123 45")
	}
}

func TestPhoneMaskedAndText(t *testing.T) {
	p := kz.MustParsePhone("8 701 123 45 67")
	assert.Equal(t, "+7 701 *** ** 67", p.Masked())
	assert.Equal(t, "", kz.Phone{}.Masked())

	type contact struct {
		Phone kz.Phone `json:"phone"`
	}
	b, err := json.Marshal(contact{Phone: p})
	require.NoError(t, err)
	assert.JSONEq(t, `{"phone":"+77011234567"}`, string(b))
	var got contact
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, p, got.Phone)
	require.NoError(t, json.Unmarshal([]byte(`{"phone":""}`), &got))
	assert.True(t, got.Phone.IsZero())
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"phone":"+79161234567"}`), &got), kz.ErrPhoneNotKZ)
	assert.Panics(t, func() { kz.MustParsePhone("x") })
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{
		"+77011234567", "+7 (701) 123-45-67", "8 701 123 45 67", "7 701 123 45 67",
		"7011234567", "+7 916 123 45 67", "+7 727 1234567", "", "+", "++7", "8\u00a0701",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := kz.ParsePhone(s)
		if err != nil {
			assert.True(t, p.IsZero())
			return
		}
		e := p.String()
		require.Len(t, e, 12)
		assert.True(t, strings.HasPrefix(e, "+77"), e)
		again, err := kz.ParsePhone(e)
		require.NoError(t, err)
		assert.Equal(t, p, again)
		assert.Len(t, p.Masked(), len("+7 701 *** ** 67"))
	})
}
