package client

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/kabinet/kabinet/domain/kz"
)

var phones = []kz.Phone{phone, phone2, kz.MustParsePhone("87051112233")}

func genCommand() *rapid.Generator[Command] {
	purpose := rapid.SampledFrom([]Purpose{PurposePersonalData, PurposeThirdParties, PurposeMarketing})
	return rapid.OneOf(
		rapid.Just[Command](registerCmd()),
		rapid.Custom(func(t *rapid.T) Command {
			if rapid.Bool().Draw(t, "one_time") {
				mins := rapid.IntRange(-5, 30).Draw(t, "expires_in")
				return IssueAccessCode{Kind: CodeOneTime, Hash: hmacHash, ExpiresAt: now.Add(time.Duration(mins) * time.Minute)}
			}
			return IssueAccessCode{Kind: CodeChosen, Hash: argon}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return ChangeAccessCode{Hash: argon2, CurrentVerified: rapid.Bool().Draw(t, "verified")}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return RecordLoginAttempt{Success: rapid.Float64Range(0, 1).Draw(t, "p") < 0.2}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return RecordLoginAttempt{Success: rapid.Bool().Draw(t, "success"), MaxFailures: 2, LockFor: time.Minute}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return ChangePhone{Phone: rapid.SampledFrom(phones).Draw(t, "phone"), PolicyNumber: "P-1", PolicyVerified: rapid.Bool().Draw(t, "verified")}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			s := DefaultSettings()
			s.AutoProlongation = rapid.Bool().Draw(t, "auto")
			s.Notifications.Bonus.SMS = rapid.Bool().Draw(t, "bonus_sms")
			if rapid.Bool().Draw(t, "email") {
				s.Email = "a@b.kz"
				s.Notifications.ClaimStatus.Email = true
			}
			return ChangeSettings{Settings: s}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return GiveConsent{
				Purpose: purpose.Draw(t, "purpose"),
				Scope:   rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"iin", "name", "phone"}), 1, 3, rapid.ID[string]).Draw(t, "scope"),
			}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return WithdrawConsent{Purpose: purpose.Draw(t, "purpose"), HasActiveContracts: rapid.Bool().Draw(t, "active")}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return RequestErasure{HasActivePolicy: rapid.Bool().Draw(t, "policy"), HasOpenClaim: rapid.Bool().Draw(t, "claim")}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			// Mostly blocked, so that sequences run long before an erasure ends them.
			return CompleteErasure{HasActivePolicy: rapid.Float64Range(0, 1).Draw(t, "p") < 0.8}
		}),
	)
}

func TestPropertyReplayAndRules(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var (
			s       State
			history []Event
			states  []State
		)
		clock := now
		for i := range rapid.IntRange(1, 80).Draw(rt, "steps") {
			cmd := genCommand().Draw(rt, fmt.Sprintf("cmd%d", i))
			clock = clock.Add(time.Duration(rapid.IntRange(0, 10).Draw(rt, fmt.Sprintf("gap%d", i))) * time.Minute)
			wasLocked := s.Locked(clock)
			events, err := Decide(s, cmd, clock)
			if err != nil {
				require.Empty(rt, events)
				for _, pii := range []string{iin.String(), "Айгерим", "Сапарова", hmacHash, "+77"} {
					require.NotContains(rt, err.Error(), pii)
				}
				if s.Erased() {
					require.ErrorIs(rt, err, ErrErased)
				}
				continue
			}
			require.False(rt, s.Erased(), "an erased client accepted %T", cmd)
			if _, ok := cmd.(RecordLoginAttempt); ok {
				require.False(rt, wasLocked, "a login attempt was recorded while locked")
			}
			for _, e := range events {
				s = Evolve(s, e)
				history = append(history, e)
				states = append(states, s)
				if w, ok := e.(ConsentWithdrawn); ok && w.Purpose.RequiredByContract() {
					require.False(rt, cmd.(WithdrawConsent).HasActiveContracts)
				}
			}
			if attempt, ok := cmd.(RecordLoginAttempt); ok {
				limit := attempt.MaxFailures
				if limit == 0 {
					limit = DefaultMaxFailures
				}
				require.Less(rt, s.FailedAttempts, limit, "a command's failure limit reached without a lock")
			}
			if s.Code.IsSet() {
				require.True(rt, s.Code.Kind == CodeChosen || !s.Code.ExpiresAt.IsZero(), "a one-time code without expiry")
			}
		}

		var replayed State
		for i, e := range history {
			typ, data, err := EncodeEvent(e)
			require.NoError(rt, err)
			decoded, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(rt, err)
			replayed = Evolve(replayed, decoded)
			require.Equal(rt, states[i], replayed, "state after event %d (%s)", i, typ)
		}
		require.Equal(rt, s, replayed)
		if s.Erased() {
			require.Empty(rt, s.Phone.String())
			require.False(rt, strings.Contains(fmt.Sprintf("%+v", s), iin.String()))
		}
	})
}

func TestPropertyRepeatedCommandsAreIdempotent(t *testing.T) {
	// Commands that state a desired outcome decide nothing when repeated at once.
	rapid.Check(t, func(rt *rapid.T) {
		var s State
		for i := range rapid.IntRange(1, 30).Draw(rt, "steps") {
			cmd := genCommand().Draw(rt, fmt.Sprintf("cmd%d", i))
			events, err := Decide(s, cmd, now)
			if err != nil {
				continue
			}
			for _, e := range events {
				s = Evolve(s, e)
			}
			switch cmd.(type) {
			case ChangePhone, ChangeSettings, GiveConsent, WithdrawConsent, RequestErasure:
				again, err := Decide(s, cmd, now)
				if !errors.Is(err, ErrErased) {
					require.NoError(rt, err)
				}
				require.Empty(rt, again, "repeated %T", cmd)
			}
		}
	})
}
