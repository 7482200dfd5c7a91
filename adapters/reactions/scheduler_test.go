package reactions_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
)

// schedule issues a policy of c ending endsIn days after today and hands its
// policy.issued to ScheduleRemindersOnPolicyIssued.
func (h *harness) schedule(t *testing.T, c cabinettest.Client, endsIn int, o cabinettest.PolicyOptions) cabinettest.Policy {
	t.Helper()
	o.EndsOn = h.today.AddDays(endsIn)
	if o.StartsOn.IsZero() {
		o.StartsOn = o.EndsOn.AddDays(-364)
	}
	p := h.k.Policy(t, c, o)
	require.NoError(t, h.handle(t, reactions.NameScheduleRemindersOnPolicyIssued, h.policyEvent(t, p.ID, policy.TypeIssued)))
	return p
}

func (h *harness) due(offset int) time.Time {
	d := h.today.AddDays(offset)
	return time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, almaty)
}

func TestRemindersBeforeThePolicyEnds(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		c := h.k.Client(t)
		h.at(0, 9, 0)
		p := h.schedule(t, c, 7, cabinettest.PolicyOptions{})
		key := func(d int) string { return fmt.Sprintf("expiring:%s:%d", p.ID, d) }

		rows := h.reminders(t, p.ID)
		require.Len(t, rows, 2, "ending in 7 days: the 30-day reminder is past and not planned")
		assert.True(t, rows[key(7)].DueAt.Equal(h.due(0)), "7 days before the end, 10:00 Almaty: %s", rows[key(7)].DueAt.In(almaty))
		assert.True(t, rows[key(1)].DueAt.Equal(h.due(6)), "1 day before the end, 10:00 Almaty: %s", rows[key(1)].DueAt.In(almaty))

		h.at(0, 9, 59)
		assert.Equal(t, 0, h.tick(t), "not due before 10:00")
		assert.Empty(t, h.sms.to(c.Phone))

		h.at(0, 10, 0)
		assert.Equal(t, 1, h.tick(t))
		assert.Equal(t, 0, h.tick(t), "fired once")
		sms := h.sms.to(c.Phone)
		require.Len(t, sms, 1)
		assert.Equal(t, key(7), sms[0].Key)
		assert.Contains(t, sms[0].Text, p.Number)
		assert.Contains(t, sms[0].Text, h.today.AddDays(7).In(time.UTC).Format("02.01.2006"))

		// The event delivered again plans nothing new and fires nothing again.
		require.NoError(t, h.handle(t, reactions.NameScheduleRemindersOnPolicyIssued, h.policyEvent(t, p.ID, policy.TypeIssued)))
		assert.Equal(t, 0, h.tick(t))

		h.at(5, 23, 59)
		assert.Equal(t, 0, h.tick(t))
		h.at(6, 10, 0)
		assert.Equal(t, 1, h.tick(t))
		assert.Len(t, h.sms.to(c.Phone), 2)

		inbox := h.notices(t, c.ID)
		require.Len(t, inbox, 2)
		for _, n := range inbox {
			assert.Equal(t, notice.KindExpiringPolicy, n.Kind)
			assert.Equal(t, p.ID, n.PolicyID)
			assert.Equal(t, []notice.Channel{notice.ChannelSMS, notice.ChannelInbox}, n.Channels)
		}
		assert.Contains(t, inbox[0].Body, "осталось 7 дней")
		assert.Contains(t, inbox[1].Body, "остался 1 день")
		rows = h.reminders(t, p.ID)
		for _, d := range []int{7, 1} {
			assert.True(t, rows[key(d)].Fired)
			assert.Equal(t, reactions.OutcomeSent, rows[key(d)].Outcome)
			assert.Equal(t, 1, rows[key(d)].Attempts)
		}
	})
}

func TestRemindersAreSkippedWhenThereIsNothingToRemindOf(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		ctx := context.Background()
		c := h.k.Client(t)
		h.at(0, 9, 0)

		cancelled := h.schedule(t, c, 7, cabinettest.PolicyOptions{})
		_, err := h.k.Deps.Policies.CancelPolicy(ctx, uuid.New(), cancelled.ID, policy.CancelPolicy{
			Reason: "по заявлению", EffectiveOn: h.today.AddDays(3)})
		require.NoError(t, err)

		renewed := h.schedule(t, c, 7, cabinettest.PolicyOptions{})
		renewal := h.k.Policy(t, c, cabinettest.PolicyOptions{StartsOn: h.today.AddDays(8)})
		_, err = h.k.Deps.Policies.ProlongPolicy(ctx, uuid.New(), c.ID, renewed.ID, renewal.ID)
		require.NoError(t, err)

		h.at(0, 10, 0)
		assert.Equal(t, 2, h.tick(t))
		assert.Empty(t, h.sms.to(c.Phone))
		assert.Empty(t, h.notices(t, c.ID))
		for _, tc := range []struct {
			p      cabinettest.Policy
			reason string
		}{{cancelled, "cancelled"}, {renewed, "renewed"}} {
			r := h.reminders(t, tc.p.ID)[fmt.Sprintf("expiring:%s:7", tc.p.ID)]
			assert.True(t, r.Fired)
			assert.Equal(t, reactions.OutcomeSkipped, r.Outcome)
			assert.Equal(t, tc.reason, r.Reason)
		}
	})
}

func TestARenewalRetiresTheRenewedPolicysReminders(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		c := h.k.Client(t)
		h.at(0, 9, 0)
		old := h.schedule(t, c, 20, cabinettest.PolicyOptions{})
		require.Len(t, h.reminders(t, old.ID), 2)

		renewal, _, err := h.k.Deps.Policies.IssuePolicy(context.Background(), uuid.New(), policy.IssuePolicy{
			Product: policy.ProductOGPOVTS, Number: "OGPO-R-" + old.Number, KIASContractID: "KD-R-" + old.KIASContractID,
			Insurer: "АО «Страховая компания»", StartsOn: h.today.AddDays(21), EndsOn: h.today.AddDays(385),
			Holder:  policy.Holder{ClientID: c.ID, IIN: c.IIN, Name: c.LastName + " " + c.FirstName},
			Vehicle: policy.Vehicle{Make: "Toyota", Model: "Camry", Plate: "123ABC02"}, UnlimitedDrivers: true,
			Premium: money.MustParse("36000.00"), PaymentMethod: policy.PaymentCard, RenewedFrom: old.ID,
		})
		require.NoError(t, err)
		require.NoError(t, h.handle(t, reactions.NameScheduleRemindersOnPolicyIssued, h.policyEvent(t, renewal, policy.TypeIssued)))

		for key, r := range h.reminders(t, old.ID) {
			assert.True(t, r.Fired, key)
			assert.Equal(t, reactions.OutcomeSkipped, r.Outcome, key)
			assert.Equal(t, "renewed", r.Reason, key)
		}
		assert.Len(t, h.reminders(t, renewal), 3, "the renewal has its own reminders")
	})
}

func TestInstallmentReminders(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		ctx := context.Background()
		c := h.k.Client(t)
		h.at(0, 9, 0)
		// Installments fall due today-10 (past), today+20 and today+50.
		p := h.schedule(t, c, 354, cabinettest.PolicyOptions{StartsOn: h.today.AddDays(-10), Installments: 3})
		rows := h.reminders(t, p.ID)
		key := func(n int) string { return fmt.Sprintf("installment:%s:%d", p.ID, n) }
		assert.NotContains(t, rows, key(1), "already due: not reminded of")
		assert.True(t, rows[key(2)].DueAt.Equal(h.due(17)), "3 days before: %s", rows[key(2)].DueAt.In(almaty))
		assert.True(t, rows[key(3)].DueAt.Equal(h.due(47)), "3 days before: %s", rows[key(3)].DueAt.In(almaty))
		assert.Len(t, rows, 5, "two installments and the 30-, 7- and 1-day expiry reminders")

		st, err := h.k.Deps.Policies.Load(ctx, p.ID)
		require.NoError(t, err)
		for _, in := range st.Schedule()[:2] {
			_, err := h.k.Deps.Policies.PayInstallment(ctx, uuid.New(), c.ID, p.ID, policy.PayInstallment{
				Number: in.Number, PaymentRef: fmt.Sprintf("PAY-%s-%d", p.Number, in.Number), Amount: in.Amount})
			require.NoError(t, err)
		}

		h.at(17, 10, 0)
		assert.Equal(t, 1, h.tick(t))
		assert.Empty(t, h.sms.to(c.Phone), "installment 2 is paid")
		assert.Equal(t, "paid", h.reminders(t, p.ID)[key(2)].Reason)

		h.at(47, 10, 0)
		assert.Equal(t, 1, h.tick(t))
		sms := h.sms.to(c.Phone)
		require.Len(t, sms, 1)
		third := st.Schedule()[2]
		assert.Contains(t, sms[0].Text, formatKZT(third.Amount))
		assert.Contains(t, sms[0].Text, third.DueOn.In(time.UTC).Format("02.01.2006"))
		inbox := h.notices(t, c.ID)
		require.Len(t, inbox, 1)
		assert.Equal(t, notice.KindInstallmentDue, inbox[0].Kind)
		assert.Contains(t, inbox[0].Body, "Взнос № 3")
	})
}

// formatKZT is how the texts write 12000.00: "12 000,00 ₸".
func formatKZT(m money.KZT) string {
	whole, frac, _ := bytes.Cut([]byte(m.String()), []byte("."))
	var b []byte
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b = append(b, ' ')
		}
		b = append(b, r)
	}
	return string(b) + "," + string(frac) + " ₸"
}

func TestAutoProlongationNoticeOnlyWhenOn(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		on, off := h.k.Client(t), h.k.Client(t)
		addr := "auto@example.kz"
		s := client.DefaultSettings()
		s.AutoProlongation = true
		s.Email = addr
		s.Notifications.ExpiringPolicy = client.Channels{SMS: true, Email: true}
		h.settings(t, on.ID, s)

		h.at(0, 9, 0)
		pOn := h.schedule(t, on, 30, cabinettest.PolicyOptions{})
		pOff := h.schedule(t, off, 30, cabinettest.PolicyOptions{})
		h.at(0, 10, 0)
		assert.Equal(t, 2, h.tick(t))

		inbox := h.notices(t, on.ID)
		require.Len(t, inbox, 1)
		assert.Equal(t, notice.KindExpiringPolicy, inbox[0].Kind)
		assert.Equal(t, "Черновик продления полиса готов", inbox[0].Title)
		assert.Contains(t, inbox[0].Body, "черновик нового полиса с "+h.today.AddDays(31).In(time.UTC).Format("02.01.2006"))
		assert.Contains(t, h.sms.to(on.Phone)[0].Text, "Черновик продления полиса № "+pOn.Number)
		mail := h.mail.to(addr)
		require.Len(t, mail, 1)
		require.Len(t, mail[0].Attachments, 1, "the policy document goes with the e-mail")
		assert.Equal(t, "application/pdf", mail[0].Attachments[0].ContentType)
		assert.True(t, bytes.HasPrefix(mail[0].Attachments[0].Content, []byte("%PDF")))
		assert.Equal(t, "polis-"+pOn.Number+".pdf", mail[0].Attachments[0].Name)

		inbox = h.notices(t, off.ID)
		require.Len(t, inbox, 1)
		assert.Equal(t, "Полис скоро закончится", inbox[0].Title)
		assert.NotContains(t, inbox[0].Body, "черновик")
		assert.Contains(t, h.sms.to(off.Phone)[0].Text, pOff.Number)
	})
}

func TestSchedulersFireEachReminderOnceTogether(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db, func(c *reactions.Config) { c.BatchSize = 2 })
		h.sms.delay = 5 * time.Millisecond // widen the windows in which two schedulers could collide
		h.at(0, 9, 0)
		var keys []string
		var clients []cabinettest.Client
		for range 3 {
			c := h.k.Client(t)
			clients = append(clients, c)
			for range 2 {
				p := h.schedule(t, c, 7, cabinettest.PolicyOptions{})
				keys = append(keys, fmt.Sprintf("expiring:%s:7", p.ID), fmt.Sprintf("expiring:%s:1", p.ID))
			}
		}
		h.at(6, 10, 0) // both reminders of every policy are due

		other, err := reactions.New(h.deps, h.cfg) // a second instance on the same database
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for _, sc := range []*reactions.Scheduler{h.set.Scheduler(), other.Scheduler(), h.set.Scheduler(), other.Scheduler()} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := sc.Tick(ctx)
					if err != nil {
						errs <- err
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		// A scheduler that found nothing may have stopped while another still
		// held rows; one more pass shows nothing is left.
		assert.Equal(t, 0, h.tick(t))

		sent := map[string]int{}
		for _, m := range h.sms.all() {
			sent[m.Key]++
		}
		assert.Len(t, sent, len(keys))
		for _, k := range keys {
			assert.Equal(t, 1, sent[k], "%s sent once", k)
		}
		for _, c := range clients {
			assert.Len(t, h.notices(t, c.ID), 4)
		}
	})
}

func TestSchedulerRecoversFromAFailureAndACrash(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		ctx := context.Background()
		c := h.k.Client(t)
		addr := "retry@example.kz"
		s := client.DefaultSettings()
		s.Email = addr
		s.Notifications.ExpiringPolicy = client.Channels{SMS: true, Email: true}
		h.settings(t, c.ID, s)
		h.at(0, 9, 0)
		p := h.schedule(t, c, 7, cabinettest.PolicyOptions{})
		key7, key1 := fmt.Sprintf("expiring:%s:7", p.ID), fmt.Sprintf("expiring:%s:1", p.ID)

		t.Run("a failed e-mail is retried after the backoff without sending the SMS again", func(t *testing.T) {
			h.mail.fail = errors.New("mail server unavailable")
			h.at(0, 10, 0)
			assert.Equal(t, 1, h.tick(t))
			r := h.reminders(t, p.ID)[key7]
			assert.False(t, r.Fired)
			assert.Equal(t, 1, r.Attempts)
			assert.Contains(t, r.Error, "mail server unavailable")
			assert.Len(t, h.sms.to(c.Phone), 1)
			assert.Empty(t, h.notices(t, c.ID), "the notice is recorded once every channel went out")

			h.clock.advance(reactions.DefaultRetryBackoff - time.Second)
			assert.Equal(t, 0, h.tick(t), "not before the backoff")
			h.clock.advance(time.Second)
			assert.Equal(t, 1, h.tick(t))
			r = h.reminders(t, p.ID)[key7]
			assert.True(t, r.Fired)
			assert.Equal(t, 2, r.Attempts)
			assert.Empty(t, r.Error)
			assert.Len(t, h.sms.to(c.Phone), 1, "the SMS went out the first time")
			assert.Len(t, h.mail.to(addr), 1)
			inbox := h.notices(t, c.ID)
			require.Len(t, inbox, 1)
			assert.Equal(t, []notice.Channel{notice.ChannelSMS, notice.ChannelEmail, notice.ChannelInbox}, inbox[0].Channels)
		})

		t.Run("a reminder claimed by a scheduler that died is fired when its lease ends", func(t *testing.T) {
			h.at(6, 10, 0)
			_, err := h.k.DB.Exec(ctx, `UPDATE scheduled_reminders SET claimed_until = $2, claim_token = $3, attempts = attempts + 1
				WHERE key = $1`, key1, h.clock.Now().Add(reactions.DefaultLease), uuid.New())
			require.NoError(t, err)
			assert.Equal(t, 0, h.tick(t), "leased to the dead scheduler")
			h.clock.advance(reactions.DefaultLease)
			assert.Equal(t, 1, h.tick(t))
			r := h.reminders(t, p.ID)[key1]
			assert.True(t, r.Fired)
			assert.Equal(t, reactions.OutcomeSent, r.Outcome)
			assert.Len(t, h.sms.to(c.Phone), 2)
		})

		t.Run("a reminder that keeps failing is set aside as failed", func(t *testing.T) {
			h2 := newHarness(t, db, func(c *reactions.Config) { c.MaxAttempts = 2 })
			c2 := h2.k.Client(t)
			h2.at(0, 9, 0)
			p2 := h2.schedule(t, c2, 7, cabinettest.PolicyOptions{})
			h2.at(0, 10, 0)
			for range 2 {
				h2.sms.failNext(errors.New("gateway down"), false)
				assert.Equal(t, 1, h2.tick(t))
				h2.clock.advance(time.Hour)
			}
			r := h2.reminders(t, p2.ID)[fmt.Sprintf("expiring:%s:7", p2.ID)]
			assert.True(t, r.Fired)
			assert.Equal(t, reactions.OutcomeFailed, r.Outcome)
			assert.Contains(t, r.Error, "gateway down")
			assert.Equal(t, 0, h2.tick(t))
		})
	})
}

func TestSchedulerRunFiresDueRemindersUntilStopped(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		c := h.k.Client(t)
		h.at(0, 9, 0)
		h.schedule(t, c, 7, cabinettest.PolicyOptions{})
		h.at(0, 10, 0)

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- h.set.Scheduler().Run(ctx) }()
		require.Eventually(t, func() bool { return len(h.sms.to(c.Phone)) == 1 }, 10*time.Second, 10*time.Millisecond)

		h.at(6, 10, 0) // the 1-day reminder falls due while Run polls
		require.Eventually(t, func() bool { return len(h.sms.to(c.Phone)) == 2 }, 10*time.Second, 10*time.Millisecond)
		cancel()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not stop")
		}
	})
}

// Regression: a scheduler stopped while it fired a batch left the rest of
// the batch leased for the whole lease and counted an attempt for each.
func TestAStoppedSchedulerHandsItsBatchBack(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		c := h.k.Client(t)
		h.at(0, 9, 0)
		p := h.schedule(t, c, 7, cabinettest.PolicyOptions{})
		h.at(0, 10, 0)

		h.sms.delay = 300 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, _ = h.set.Scheduler().Tick(ctx)
		for key, r := range h.reminders(t, p.ID) {
			assert.False(t, r.Fired, key)
			assert.Zero(t, r.Attempts, "%s: an interrupted attempt does not count", key)
		}

		h.sms.delay = 0
		assert.Positive(t, h.tick(t), "handed back, the reminder is due again at once")
		fired := 0
		for _, r := range h.reminders(t, p.ID) {
			if r.Fired {
				fired++
				assert.Equal(t, 1, r.Attempts)
			}
		}
		assert.Equal(t, 1, fired)
		assert.Len(t, h.sms.to(c.Phone), 1)
	})
}
