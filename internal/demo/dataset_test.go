package demo

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/kz"
)

func TestPeoplePassTheRulesOfRegistration(t *testing.T) {
	codes, err := commands.NewAccessCodes(commands.AccessCodeConfig{HMACKey: bytes.Repeat([]byte{1}, 32)})
	require.NoError(t, err)
	require.NoError(t, codes.ValidateChosen(AccessCode), "the demo's access code meets the rule for chosen codes")
	phones := map[string]bool{}
	for _, p := range build().people {
		_, err := kz.ParseIIN(p.iin)
		assert.NoError(t, err, "IIN of %s", p.label)
		_, err = kz.ParsePhone(p.phone)
		assert.NoError(t, err, "phone of %s", p.label)
		assert.False(t, phones[p.phone], "phone of %s is another client's login", p.label)
		phones[p.phone] = true
	}
	assert.Contains(t, phones, "+77015550101")
}

func TestDataSetHangsTogether(t *testing.T) {
	ds := build()
	held := map[string]policySpec{}
	for _, p := range ds.policies {
		assert.NotContains(t, held, p.contract, "contracts are unique")
		held[p.contract] = p
		assert.Greater(t, p.ends, p.starts, "%s ends after it starts", p.contract)
		if p.parts > 0 {
			sum := decimal.Zero
			for _, a := range p.schedule() {
				sum = sum.Add(decimal.RequireFromString(a))
			}
			assert.True(t, sum.Equal(decimal.RequireFromString(p.premium)), "%s: the installments add up to the premium", p.contract)
			assert.Less(t, p.due(p.paid-1), 0, "%s: installments paid fell due before the load", p.contract)
		}
	}
	numbers := map[string]bool{}
	for _, c := range ds.claims {
		assert.False(t, numbers[c.number], "claim numbers are unique")
		numbers[c.number] = true
		p, ok := held[c.contract]
		require.True(t, ok, "%s is on a policy of the data set", c.number)
		assert.Same(t, p.holder, c.holder, "%s is the policy holder's", c.number)
		assert.Negative(t, c.reported, "%s was reported before the load", c.number)
		assert.True(t, c.reported >= p.starts && c.reported <= p.ends, "%s was reported while %s was in force", c.number, c.contract)
	}
}

// TestLoadLeavesNoReminderForItsOwnDay pins what keeps a Load quiet once it
// returns: a reminder due on the day of the load, or on the next day, when
// a restart loads again, would fire at once and write a notice behind the
// load's back, so that the repeated Load would seem to have written it.
func TestLoadLeavesNoReminderForItsOwnDay(t *testing.T) {
	days := append(slices.Clone(reactions.DefaultExpiryReminders), reactions.DefaultProlongationAt)
	for _, today := range []int{0, 1} {
		for _, p := range build().policies {
			for _, d := range days {
				assert.NotEqual(t, today, p.ends-d, "%s: the reminder %d days before the end falls on day %d", p.contract, d, today)
			}
			for i := range p.parts {
				due := p.due(i)
				assert.False(t, due > today && due <= today+reactions.DefaultInstallmentLead,
					"%s: installment %d falls due within the reminder lead of day %d", p.contract, i+1, today)
			}
		}
	}
}

func TestDataSetLaysDatesOutInAlmaty(t *testing.T) {
	// 20:30 UTC on 31 December is already 1 January in Almaty (UTC+5).
	c, err := newCalendar(time.Date(2027, 12, 31, 20, 30, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, "2028-01-01", c.today.String())
	assert.Equal(t, "2028-02-29", string(c.date(59)), "a leap day")
	assert.Equal(t, "2027-12-31T16:05:00+05:00", string(c.at(-1, 16, 5)))
}

func TestSMSCodePatternFindsTheCodeOnly(t *testing.T) {
	for text, want := range map[string]string{
		"Код для регистрации в личном кабинете: 482913. Он же будет вашим кодом доступа.": "482913",
		"Новый код доступа в личный кабинет: 007311. Никому его не сообщайте.":            "007311",
		"Убыток № VD-D-100145: выплата 185400.00 ₸. Подробности в личном кабинете.":       "",
	} {
		got := ""
		if m := smsCodePattern.FindStringSubmatch(text); m != nil {
			got = m[1]
		}
		assert.Equal(t, want, got, text)
	}
}
