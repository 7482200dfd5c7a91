package claim

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var allStatuses = []Status{
	StatusReported, StatusDocumentsRequested, StatusDocumentsComplete, StatusAppraisal,
	StatusPayoutDecision, StatusPaid, StatusRefused, StatusWithdrawn,
}

func TestStatusClientFacing(t *testing.T) {
	want := map[Status]string{
		StatusReported: ClientInSettlement, StatusDocumentsRequested: ClientInSettlement,
		StatusDocumentsComplete: ClientInSettlement, StatusAppraisal: ClientInSettlement,
		StatusPayoutDecision: ClientInSettlement, StatusPaid: ClientSettled,
		StatusRefused: ClientSettled, StatusWithdrawn: ClientSettled,
	}
	for _, s := range allStatuses {
		assert.Equal(t, want[s], s.ClientFacing(), s)
		assert.True(t, s.Valid(), s)
	}
	assert.False(t, Status("lost").Valid())
	assert.False(t, Status("").Valid())
}

func TestCanTransition(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusReported, StatusDocumentsRequested}:          true,
		{StatusDocumentsRequested, StatusDocumentsComplete}: true,
		{StatusDocumentsComplete, StatusDocumentsRequested}: true,
		{StatusDocumentsComplete, StatusAppraisal}:          true,
		{StatusAppraisal, StatusPayoutDecision}:             true,
		{StatusAppraisal, StatusDocumentsRequested}:         true,
		{StatusPayoutDecision, StatusPaid}:                  true,
		{StatusPayoutDecision, StatusRefused}:               true,
		{StatusPayoutDecision, StatusDocumentsRequested}:    true,
	}
	for _, from := range allStatuses {
		if !from.Terminal() {
			allowed[[2]Status{from, StatusWithdrawn}] = true
		}
	}
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			assert.Equal(t, allowed[[2]Status{from, to}], CanTransition(from, to), "%s → %s", from, to)
		}
	}
}
