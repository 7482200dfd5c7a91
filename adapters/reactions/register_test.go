package reactions_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// holder is a person without a cabinet who holds a new policy.
func (h *harness) holder(t *testing.T, inKIAS bool, phone kz.Phone) (cabinettest.Client, cabinettest.Policy) {
	t.Helper()
	c := cabinettest.Client{IIN: cabinettest.NewIIN(), FirstName: "Ерлан", LastName: "Абенов"}
	c.ID = h.k.Deps.Clients.IDFor(c.IIN)
	c.Phone = phone
	if inKIAS {
		h.k.KIAS.AddPerson(kias.Person{IIN: c.IIN, FirstName: c.FirstName, LastName: c.LastName, Phone: phone})
	}
	return c, h.k.Policy(t, c, cabinettest.PolicyOptions{})
}

func TestRegisterClientOnPolicyIssued(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		ctx := context.Background()
		const name = reactions.NameRegisterClientOnPolicyIssued

		t.Run("a holder without a cabinet gets one and the code by SMS, once", func(t *testing.T) {
			c, p := h.holder(t, true, cabinettest.NewPhone())
			e := h.policyEvent(t, p.ID, policy.TypeIssued)
			require.NoError(t, h.handle(t, name, e))
			require.NoError(t, h.handle(t, name, e))

			st, err := h.k.Deps.Clients.Load(ctx, c.ID)
			require.NoError(t, err)
			require.True(t, st.Exists())
			assert.Equal(t, client.SourcePurchase, st.Source)
			assert.Equal(t, c.Phone, st.Phone)
			assert.Equal(t, "Ерлан", st.FirstName)
			assert.Equal(t, "Абенов", st.LastName)
			assert.Equal(t, "KIAS-"+c.IIN.String(), st.KIASClientID)

			sms := h.sms.to(c.Phone)
			require.Len(t, sms, 1, "handled twice, sent once")
			assert.Equal(t, name+":"+e.ID.String(), sms[0].Key)
			code := sixDigits.FindString(sms[0].Text)
			require.NotEmpty(t, code, "the SMS carries the code")
			ok, err := h.k.Deps.Codes.Verify(ctx, st.Code, code)
			require.NoError(t, err)
			assert.True(t, ok, "the code sent is the client's access code")
			_, _, err = h.k.Deps.Clients.Login(ctx, uuid.New(), c.IIN.String(), code)
			assert.NoError(t, err, "the client can log in with it")

			inbox := h.notices(t, c.ID)
			require.Len(t, inbox, 1)
			assert.Equal(t, notice.KindRegistration, inbox[0].Kind)
			assert.Equal(t, []notice.Channel{notice.ChannelSMS, notice.ChannelInbox}, inbox[0].Channels)
			assert.Equal(t, p.ID, inbox[0].PolicyID)
			assert.Contains(t, inbox[0].Body, p.Number)
			assert.NotContains(t, inbox[0].Body, code, "the inbox never holds the code")
		})

		t.Run("an SMS lost after the gateway took it is sent again with the same code and key", func(t *testing.T) {
			c, p := h.holder(t, true, cabinettest.NewPhone())
			e := h.policyEvent(t, p.ID, policy.TypeIssued)
			h.sms.failNext(errors.New("gateway answer lost"), true)
			require.Error(t, h.handle(t, name, e), "the first run fails at the SMS")
			require.NoError(t, h.handle(t, name, e))
			require.NoError(t, h.handle(t, name, e))

			sms := h.sms.to(c.Phone)
			require.Len(t, sms, 2, "the retry sends again, as it cannot know the first one arrived")
			assert.Equal(t, sms[0], sms[1], "same text, code and key, so the gateway recognises the repeat")
			st, err := h.k.Deps.Clients.Load(ctx, c.ID)
			require.NoError(t, err)
			ok, err := h.k.Deps.Codes.Verify(ctx, st.Code, sixDigits.FindString(sms[1].Text))
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Len(t, h.notices(t, c.ID), 1)
		})

		t.Run("a holder with no mobile phone in KIAS gets nothing", func(t *testing.T) {
			c, p := h.holder(t, true, kz.Phone{})
			require.NoError(t, h.handle(t, name, h.policyEvent(t, p.ID, policy.TypeIssued)))
			st, err := h.k.Deps.Clients.Load(ctx, c.ID)
			require.NoError(t, err)
			assert.False(t, st.Exists())
		})

		t.Run("a holder KIAS does not know gets nothing", func(t *testing.T) {
			c, p := h.holder(t, false, kz.Phone{})
			require.NoError(t, h.handle(t, name, h.policyEvent(t, p.ID, policy.TypeIssued)))
			st, err := h.k.Deps.Clients.Load(ctx, c.ID)
			require.NoError(t, err)
			assert.False(t, st.Exists())
		})

		t.Run("a holder whose phone is another cabinet's login gets nothing", func(t *testing.T) {
			other := h.k.Client(t)
			c, p := h.holder(t, true, other.Phone)
			require.NoError(t, h.handle(t, name, h.policyEvent(t, p.ID, policy.TypeIssued)))
			st, err := h.k.Deps.Clients.Load(ctx, c.ID)
			require.NoError(t, err)
			assert.False(t, st.Exists())
			assert.Empty(t, h.sms.to(other.Phone))
		})

		t.Run("a client with a cabinet is left alone", func(t *testing.T) {
			c := h.k.Client(t)
			p := h.k.Policy(t, c, cabinettest.PolicyOptions{})
			before, err := h.k.Store.Load(ctx, eventstore.StreamName(client.Aggregate, c.ID), 1)
			require.NoError(t, err)
			require.NoError(t, h.handle(t, name, h.policyEvent(t, p.ID, policy.TypeIssued)))
			after, err := h.k.Store.Load(ctx, eventstore.StreamName(client.Aggregate, c.ID), 1)
			require.NoError(t, err)
			assert.Len(t, after, len(before))
			assert.Empty(t, h.sms.to(c.Phone))
			assert.Empty(t, h.notices(t, c.ID))
		})
	})
}
