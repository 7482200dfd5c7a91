package kias_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/internal/logtest"
	"github.com/kabinet/kabinet/internal/text"
)

// Text PostgreSQL cannot keep, with a personal value around it that no
// reason or log line may quote.
const (
	nameWithNUL   = "Жумабекова\x00Динара"
	modelNotUTF8  = "Lexus\xff\xfeRX"
	storyWithNUL  = "Наезд\x00на пешехода"
	refNotUTF8    = "KASSA-\xd0"
	personalWords = "Жумабекова|Динара|Lexus|Наезд|пешехода|KASSA-"
)

// Regression (kabinet issue 10): a KIAS record whose text held a NUL or
// invalid UTF-8 was turned into a command, and the event it wrote stopped
// a read model that could not store it. Such a record is refused on its own,
// with its field named in the reject and the log and its value in neither;
// the rest of the page goes through and the read models keep up.
func TestFeedRejectsTextKabinetCannotStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		ctx := context.Background()
		holder := cabinettest.NewIIN()
		first, firstNumber := contract()
		f.sim.AppendChange(issued(holder, first, firstNumber, 0))

		var refused []string // contract IDs that must not reach kabinet
		bad := func(edit func(c *kias.Change)) {
			id, number := contract()
			c := issued(holder, id, number, 0)
			edit(&c)
			f.sim.AppendChange(c)
			refused = append(refused, id)
		}
		bad(func(c *kias.Change) { c.Policy.Holder.Name = nameWithNUL })
		bad(func(c *kias.Change) { c.Policy.Vehicle.Model = modelNotUTF8 })
		bad(func(c *kias.Change) {
			c.Policy.UnlimitedDrivers = false
			c.Policy.Drivers = []kias.FeedPerson{
				{IIN: cabinettest.NewIIN().String(), Name: "Абенов Ерлан"},
				{IIN: cabinettest.NewIIN().String(), Name: nameWithNUL},
			}
		})
		bad(func(c *kias.Change) { c.ID = "CHG-\x00-7" })
		claimNumber := "FEED-VD-" + first
		f.sim.AppendChange(kias.Change{Kind: kias.ChangeClaimReported, Claim: &kias.FeedClaim{
			Number: claimNumber, ContractID: first, Kind: "road_accident", Description: storyWithNUL, ReportedAt: time.Now().Add(-time.Hour)}})
		f.sim.AppendChange(kias.Change{Kind: kias.ChangePaymentReceived, Payment: &kias.FeedPayment{
			ContractID: first, PaymentRef: refNotUTF8, Amount: "36000.00"}})
		f.sim.AppendChange(kias.Change{Kind: "policy_issued\x00"})
		last, lastNumber := contract()
		end := f.sim.AppendChange(issued(holder, last, lastNumber, 0))
		logger, logs := captureLogs(t)
		p, err := kias.NewFeedPoller(f.kit.DB, f.sim, kias.FeedCommands{ // the simulator itself, as in the embedded default
			Clients: f.kit.Deps.Clients, Policies: f.kit.Deps.Policies, Claims: f.kit.Deps.Claims,
		}, kias.FeedConfig{Logger: logger})
		require.NoError(t, err)

		n, err := p.PollOnce(ctx)
		require.NoError(t, err)

		assert.Equal(t, 9, n)
		assert.True(t, f.policy(t, first).Exists(), "the valid change before the bad ones was applied")
		assert.True(t, f.policy(t, last).Exists(), "the valid change after the bad ones was applied")
		for _, id := range refused {
			assert.False(t, f.policy(t, id).Exists(), "contract %s", id)
		}
		assert.False(t, f.claim(t, claimNumber).Exists())
		assert.False(t, f.policy(t, first).Outstanding().IsZero(), "the payment was not recorded")
		cursor, err := p.Cursor(ctx)
		require.NoError(t, err)
		assert.Equal(t, end.Cursor, cursor, "the feed went on past the refused changes")

		rejects, err := p.Rejects(ctx)
		require.NoError(t, err)
		require.Len(t, rejects, 7)
		var fields []string
		for _, r := range rejects {
			assert.Contains(t, r.Reason, text.Rule)
			assert.Regexp(t, `^[a-z_.\[\]0-9]+: `+text.Rule, r.Reason, "the reason names the field first")
			fields = append(fields, strings.SplitN(r.Reason, ":", 2)[0])
			for _, s := range []string{r.ChangeID, string(r.Kind), r.Cursor, r.Reason} {
				assert.True(t, utf8.ValidString(s) && !strings.Contains(s, "\x00"), "the reject is stored as text: %q", s)
			}
			assert.NotRegexp(t, personalWords, r.Reason)
		}
		assert.ElementsMatch(t, []string{"policy.holder.name", "policy.vehicle.model", "policy.drivers[1].name", "id",
			"claim.description", "payment.payment_ref", "kind"}, fields)

		out := logs()
		assert.Equal(t, 7, strings.Count(out, "kias feed change rejected"))
		for _, field := range []string{"policy.holder.name", "policy.drivers[1].name", "claim.description", "payment.payment_ref"} {
			assert.Contains(t, out, field)
		}
		assert.NotRegexp(t, personalWords, out, "the log quotes no value")
		assert.True(t, utf8.ValidString(out) && !strings.Contains(out, "\x00"))

		f.kit.SettleLog(t)
		n, err = p.PollOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "refused changes are not read again")
	})
}

// The history a client's registration imports goes through the same check.
func TestImportRejectsTextKabinetCannotStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		ctx := context.Background()
		holder := cabinettest.NewIIN()
		good, goodNumber := contract()
		f.sim.AppendChange(issued(holder, good, goodNumber, 0))
		f.sim.AppendChange(kias.Change{Kind: kias.ChangePaymentReceived, Payment: &kias.FeedPayment{
			ContractID: good, PaymentRef: refNotUTF8, Amount: "36000.00"}})
		bad, badNumber := contract()
		c := issued(holder, bad, badNumber, 0)
		c.Policy.Holder.Name = nameWithNUL
		f.sim.AppendChange(c)
		logger, logs := captureLogs(t)
		p, err := kias.NewFeedPoller(f.kit.DB, f.sim, kias.FeedCommands{
			Clients: f.kit.Deps.Clients, Policies: f.kit.Deps.Policies, Claims: f.kit.Deps.Claims,
		}, kias.FeedConfig{Logger: logger})
		require.NoError(t, err)

		applied, err := p.Import(ctx, holder)
		require.NoError(t, err)

		assert.Equal(t, 1, applied)
		assert.True(t, f.policy(t, good).Exists())
		assert.False(t, f.policy(t, good).Outstanding().IsZero(), "the payment was not recorded")
		assert.False(t, f.policy(t, bad).Exists())
		rejects, err := p.Rejects(ctx)
		require.NoError(t, err)
		var reasons []string
		for _, r := range rejects {
			reasons = append(reasons, r.Reason)
		}
		assert.ElementsMatch(t, []string{
			"payment.payment_ref: " + text.Rule + ": invalid feed change",
			"policy.holder.name: " + text.Rule + ": invalid feed change",
		}, reasons)
		out := logs()
		assert.Equal(t, 2, strings.Count(out, "kias history change rejected"))
		assert.NotRegexp(t, personalWords, out)
		f.kit.SettleLog(t)
	})
}

// Over HTTP a NUL arrives as the JSON escape \u0000 and is refused as well.
func TestFeedOverHTTPRejectsANUL(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		holder := cabinettest.NewIIN()
		bad, badNumber := contract()
		c := issued(holder, bad, badNumber, 0)
		c.Policy.Holder.Name = nameWithNUL
		f.sim.AppendChange(c)
		good, goodNumber := contract()
		f.sim.AppendChange(issued(holder, good, goodNumber, 0))
		p := f.poller(t, "kias", f.client)

		n, err := p.PollOnce(context.Background())
		require.NoError(t, err)

		assert.Equal(t, 2, n)
		assert.False(t, f.policy(t, bad).Exists())
		assert.True(t, f.policy(t, good).Exists())
		rejects, err := p.Rejects(context.Background())
		require.NoError(t, err)
		require.Len(t, rejects, 1)
		assert.Equal(t, "policy.holder.name: "+text.Rule+": invalid feed change", rejects[0].Reason)
	})
}

// A cursor must go back to KIAS as it came, so one kabinet cannot store
// stops the poll at its change, as a missing cursor does, and the stored
// cursor stays where it was.
func TestFeedStopsAtACursorKabinetCannotStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		id, number := contract()
		valid := issued(cabinettest.NewIIN(), id, number, 0)
		valid.ID, valid.Cursor = "C-1", "1"
		good, err := json.Marshal(valid)
		require.NoError(t, err)
		page := `{"changes":[` + string(good) + `,{"id":"C-2","cursor":"2\u0000","kind":"policy_cancelled"}],"next":"2\u0000"}`
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(page))
		}))
		t.Cleanup(srv.Close)
		c, err := kias.NewClient(kias.Config{BaseURL: srv.URL, APIKey: apiKey})
		require.NoError(t, err)
		p := f.poller(t, "kias", c)
		ctx := context.Background()

		n, err := p.PollOnce(ctx)

		require.ErrorContains(t, err, `change "C-2" has no cursor kabinet can store`)
		assert.Equal(t, 1, n)
		assert.True(t, f.policy(t, id).Exists(), "the change before it was applied")
		cursor, err := p.Cursor(ctx)
		require.NoError(t, err)
		assert.Equal(t, "1", cursor)
		rejects, err := p.Rejects(ctx)
		require.NoError(t, err)
		assert.Empty(t, rejects)
	})
}

// captureLogs returns a logger and what it wrote so far.
func captureLogs(t *testing.T) (*slog.Logger, func() string) {
	return logtest.Capture(t, "the feed", false)
}

// BenchmarkUnstorableFeedChange is what the check costs each feed change: a
// motor policy with three drivers and four installments.
func BenchmarkUnstorableFeedChange(b *testing.B) {
	id, number := contract()
	c := issued(cabinettest.NewIIN(), id, number, 4)
	c.Policy.UnlimitedDrivers = false
	for range 3 {
		c.Policy.Drivers = append(c.Policy.Drivers, kias.FeedPerson{IIN: cabinettest.NewIIN().String(), Name: "Абенов Ерлан Болатович",
			KBM: &kias.FeedKBM{Class: "3", Coefficient: "0.90", AsOf: "2025-03-01"}})
	}
	for b.Loop() {
		if _, bad := text.Unstorable(c); bad {
			b.Fatal("a storable change was refused")
		}
	}
}
