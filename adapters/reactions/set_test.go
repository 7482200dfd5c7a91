package reactions_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/policy"
)

func TestNewRefusesMissingDependenciesAndBadConfig(t *testing.T) {
	_, err := reactions.New(reactions.Deps{}, reactions.Config{CodeKey: []byte("short"), ReminderHour: 24, Lease: 1})
	require.Error(t, err)
	for _, want := range []string{"Deps.Clients", "Deps.DB", "Deps.SMS", "Deps.Mailer", "Deps.KIAS", "Deps.History", "Deps.RenderPolicy",
		"code key must be at least 32 bytes", "reminder hour", "lease"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestConfigNeverPrintsTheCodeKey(t *testing.T) {
	key := bytes.Repeat([]byte("k"), 32)
	cfg := reactions.Config{CodeKey: key}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		assert.NotContains(t, fmt.Sprintf(verb, cfg), string(key), verb)
		assert.NotContains(t, fmt.Sprintf(verb, cfg), fmt.Sprintf("%x", key), verb)
	}
}

func TestAllNamesEveryReactionAndItsEvents(t *testing.T) {
	h := newHarness(t, onPostgres)
	got := map[string][]string{}
	for _, r := range h.set.All() {
		require.NotNil(t, r.Handle, r.Name)
		got[r.Name] = r.Types
	}
	assert.Equal(t, map[string][]string{
		"RegisterClientOnPolicyIssued":    {policy.TypeIssued},
		"AccrueBonusOnPaymentReceived":    {policy.TypePaymentReceived},
		"ReverseBonusOnPaymentRefunded":   {policy.TypePaymentRefunded},
		"ScheduleRemindersOnPolicyIssued": {policy.TypeIssued},
		"NotifyOnClaimStatusChanged":      {claim.TypeStatusChanged},
		"NotifyOnClaimDocumentsRequested": {claim.TypeDocumentsRequested},
		"ImportHistoryOnClientRegistered": {client.TypeRegistered},
	}, got)
}

func TestSetNeverPrintsTheCodeKey(t *testing.T) {
	h := newHarness(t, onPostgres)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		out := fmt.Sprintf(verb, h.set) + fmt.Sprintf(verb, h.set.Scheduler())
		assert.NotContains(t, out, string(h.cfg.CodeKey), verb)
		assert.NotContains(t, out, "9 9 9 9", verb)
	}
}
