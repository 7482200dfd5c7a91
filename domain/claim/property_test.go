package claim

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/kabinet/kabinet/domain/money"
)

var genKind = rapid.SampledFrom([]DocumentKind{DocumentIDCard, DocumentPoliceReport, DocumentPhotos, DocumentBankDetails})

// genCommand draws mostly commands that fit the state, so that long lifecycles
// (up to paid) are reached, and some that do not.
func genCommand(t *rapid.T, s State) Command {
	switch rapid.IntRange(0, 13).Draw(t, "command") {
	case 0:
		return ReportClaim{ClaimID: claimID, ClientID: clientID, PolicyID: policyID, Number: "УД-1", Kind: "theft"}
	case 1, 2, 3, 4, 5, 6, 7, 8:
		pool := allStatuses[:len(allStatuses)-1] // all but withdrawn
		if len(next[s.Status]) > 0 && rapid.IntRange(0, 3).Draw(t, "fit") > 0 {
			// Withdrawal fits every open stage; drawn as often as the rest it
			// would end most claims early.
			pool = next[s.Status]
			if rapid.IntRange(0, 31).Draw(t, "keep withdrawn") > 0 {
				pool = pool[:len(pool)-1]
			}
		}
		c := ChangeClaimStatus{To: rapid.SampledFrom(pool).Draw(t, "to")}
		if c.To == StatusPaid && rapid.IntRange(0, 3).Draw(t, "with payout") > 0 {
			c.Payout = money.FromTiyn(rapid.Int64Range(-100, 10_000_000).Draw(t, "payout"))
		}
		if c.To == StatusRefused && rapid.Bool().Draw(t, "with reason") {
			c.Reason = "not covered"
		}
		return c
	case 9, 10:
		kinds := rapid.SliceOfNDistinct(genKind, 1, 4, rapid.ID[DocumentKind]).Draw(t, "kinds")
		return requestCmd(kinds...)
	default:
		hash := rapid.SampledFrom([]string{hashA, hashB}).Draw(t, "hash")
		return ReceiveClaimDocument{Kind: genKind.Draw(t, "kind"), BlobRef: "blob/x", SHA256: hash}
	}
}

// Random command sequences: replaying what was decided gives the state that was
// built step by step, a closed claim never changes, and Missing has no duplicates.
func TestPropertyClaim(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var (
			s   State
			log []Event
			at  = now
		)
		if rapid.IntRange(0, 9).Draw(rt, "report first") > 0 {
			events, err := Decide(s, ReportClaim{ClaimID: claimID, ClientID: clientID, PolicyID: policyID, Number: "УД-1", Kind: "theft"}, at)
			require.NoError(rt, err)
			s = Evolve(s, events[0])
			log = append(log, events...)
		}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			at = at.Add(time.Duration(rapid.IntRange(1, 86400).Draw(rt, "seconds")) * time.Second)
			cmd := genCommand(rt, s)
			events, err := Decide(s, cmd, at)
			if err != nil {
				require.Empty(rt, events)
				if _, report := cmd.(ReportClaim); s.Closed() && !report {
					require.ErrorIs(rt, err, ErrClaimClosed)
				}
				continue
			}
			before := s
			for _, e := range events {
				if sc, ok := e.(StatusChanged); ok {
					require.Truef(rt, CanTransition(sc.From, sc.To), "%s → %s", sc.From, sc.To)
					require.Equal(rt, sc.To == StatusPaid, sc.Payout.IsPositive())
				}
				s = Evolve(s, e)
			}
			if before.Exists() {
				require.False(rt, before.Closed(), "a closed claim accepted %T", cmd)
			}
			log = append(log, events...)
			seen := map[DocumentKind]bool{}
			for _, k := range s.Missing() {
				require.False(rt, seen[k], "%s missing twice", k)
				seen[k] = true
			}
		}
		var replayed State
		for _, e := range log {
			typ, data, err := EncodeEvent(e)
			require.NoError(rt, err)
			back, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(rt, err)
			replayed = Evolve(replayed, back)
		}
		assert.Equal(rt, s, replayed)
		if s.Exists() {
			assert.NotEqual(rt, uuid.Nil, s.ClientID)
		}
	})
}
