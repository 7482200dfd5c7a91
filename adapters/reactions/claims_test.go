package reactions_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
)

// claimEvent changes the claim's stage and returns the event it wrote.
func (h *harness) changeClaim(t *testing.T, cl cabinettest.Claim, cmd claim.ChangeClaimStatus) eventstore.RecordedEvent {
	t.Helper()
	_, err := h.k.Deps.Claims.ChangeClaimStatus(context.Background(), uuid.New(), cl.ID, cmd)
	require.NoError(t, err)
	return h.event(t, eventstore.StreamName(claim.Aggregate, cl.ID), claim.TypeStatusChanged)
}

func TestNotifyOnClaimStatusChangedFollowsTheClientsChannels(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		for _, tc := range []struct {
			name     string
			channels client.Channels
			want     []notice.Channel
		}{
			{"sms only", client.Channels{SMS: true}, []notice.Channel{notice.ChannelSMS, notice.ChannelInbox}},
			{"e-mail only", client.Channels{Email: true}, []notice.Channel{notice.ChannelEmail, notice.ChannelInbox}},
			{"both", client.Channels{SMS: true, Email: true}, []notice.Channel{notice.ChannelSMS, notice.ChannelEmail, notice.ChannelInbox}},
			{"none: the inbox only", client.Channels{}, []notice.Channel{notice.ChannelInbox}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := h.k.Client(t)
				addr := "client-" + c.ID.String()[:8] + "@example.kz"
				s := client.DefaultSettings()
				s.Email = addr
				s.Notifications.ClaimStatus = tc.channels
				h.settings(t, c.ID, s)
				cl := h.k.Claim(t, c, h.k.Policy(t, c, cabinettest.PolicyOptions{}))
				e := h.changeClaim(t, cl, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested})

				require.NoError(t, h.handle(t, reactions.NameNotifyOnClaimStatusChanged, e))
				require.NoError(t, h.handle(t, reactions.NameNotifyOnClaimStatusChanged, e))

				inbox := h.notices(t, c.ID)
				require.Len(t, inbox, 1, "handled twice, recorded once")
				n := inbox[0]
				assert.Equal(t, notice.KindClaimStatus, n.Kind)
				assert.Equal(t, tc.want, n.Channels)
				assert.Equal(t, cl.ID, n.ClaimID)
				assert.Contains(t, n.Title, cl.Number)
				assert.Contains(t, n.Body, "нужны документы")

				sms, mail := h.sms.to(c.Phone), h.mail.to(addr)
				if tc.channels.SMS {
					require.Len(t, sms, 1, "handled twice, sent once")
					assert.Contains(t, sms[0].Text, cl.Number)
					assert.Equal(t, reactions.NameNotifyOnClaimStatusChanged+":"+e.ID.String(), sms[0].Key)
				} else {
					assert.Empty(t, sms)
				}
				if tc.channels.Email {
					require.Len(t, mail, 1, "handled twice, sent once")
					assert.Equal(t, n.Title, mail[0].Subject)
					assert.Contains(t, mail[0].Text, "Здравствуйте, "+c.FirstName+"!")
					assert.Contains(t, mail[0].Text, n.Body)
					assert.Equal(t, reactions.NameNotifyOnClaimStatusChanged+":"+e.ID.String(), mail[0].IdempotencyKey)
				} else {
					assert.Empty(t, mail)
				}
			})
		}
	})
}

func TestNotifyOnClaimStatusChangedTexts(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		c := h.k.Client(t)
		p := h.k.Policy(t, c, cabinettest.PolicyOptions{})

		paid := h.k.Claim(t, c, p)
		for _, to := range []claim.Status{claim.StatusDocumentsRequested, claim.StatusDocumentsComplete, claim.StatusAppraisal, claim.StatusPayoutDecision} {
			h.changeClaim(t, paid, claim.ChangeClaimStatus{To: to})
		}
		e := h.changeClaim(t, paid, claim.ChangeClaimStatus{To: claim.StatusPaid, Payout: money.MustParse("250000.00")})
		require.NoError(t, h.handle(t, reactions.NameNotifyOnClaimStatusChanged, e))

		refused := h.k.Claim(t, c, p)
		h.changeClaim(t, refused, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested})
		h.changeClaim(t, refused, claim.ChangeClaimStatus{To: claim.StatusDocumentsComplete})
		h.changeClaim(t, refused, claim.ChangeClaimStatus{To: claim.StatusAppraisal})
		h.changeClaim(t, refused, claim.ChangeClaimStatus{To: claim.StatusPayoutDecision})
		e = h.changeClaim(t, refused, claim.ChangeClaimStatus{To: claim.StatusRefused, Reason: "Случай не страховой"})
		require.NoError(t, h.handle(t, reactions.NameNotifyOnClaimStatusChanged, e))

		inbox := h.notices(t, c.ID)
		require.Len(t, inbox, 2)
		assert.Contains(t, inbox[0].Body, "выплата 250 000,00 ₸ произведена")
		assert.Contains(t, inbox[1].Body, "в выплате отказано")
		assert.Contains(t, inbox[1].Body, "Причина: Случай не страховой")
		sms := h.sms.to(c.Phone)
		require.Len(t, sms, 2)
		assert.NotContains(t, sms[1].Text, "Случай не страховой", "the reason stays in the cabinet")
	})
}

func TestNotifyOnClaimDocumentsRequested(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		c := h.k.Client(t) // default settings: missing documents by SMS
		cl := h.k.Claim(t, c, h.k.Policy(t, c, cabinettest.PolicyOptions{}))
		e := h.event(t, eventstore.StreamName(claim.Aggregate, cl.ID), claim.TypeDocumentsRequested)

		require.NoError(t, h.handle(t, reactions.NameNotifyOnClaimDocumentsRequested, e))
		require.NoError(t, h.handle(t, reactions.NameNotifyOnClaimDocumentsRequested, e))

		inbox := h.notices(t, c.ID)
		require.Len(t, inbox, 1)
		assert.Equal(t, notice.KindMissingDocuments, inbox[0].Kind)
		assert.Equal(t, []notice.Channel{notice.ChannelSMS, notice.ChannelInbox}, inbox[0].Channels)
		assert.Contains(t, inbox[0].Body, "Удостоверение личности")
		assert.Contains(t, inbox[0].Body, cl.Number)
		sms := h.sms.to(c.Phone)
		require.Len(t, sms, 1)
		assert.Contains(t, sms[0].Text, "(1)")
	})
}

func TestNotifyTellsNobodyWithoutACabinet(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		c, p := h.holder(t, false, cabinettest.NewPhone())
		cl := h.k.Claim(t, c, p)
		e := h.changeClaim(t, cl, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested})
		require.NoError(t, h.handle(t, reactions.NameNotifyOnClaimStatusChanged, e))
		assert.Empty(t, h.sms.to(c.Phone))
		assert.Empty(t, h.notices(t, c.ID))
	})
}
