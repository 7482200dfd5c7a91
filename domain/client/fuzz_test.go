package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/wire/wiretest"
)

// FuzzDecodeEvent feeds the codec what a damaged or hostile event store row
// could hold. Whatever decodes must encode again under the same name to the
// same JSON, and Evolve must take it without panicking: replaying history
// never fails.
func FuzzDecodeEvent(f *testing.F) {
	in := now.Add(10 * time.Minute)
	settings := DefaultSettings()
	settings.Email = "a@b.kz"
	for _, e := range []Event{
		registered(),
		AccessCodeIssued{Kind: CodeOneTime, Hash: hmacHash, ExpiresAt: in, IssuedAt: now},
		AccessCodeChanged{Kind: CodeChosen, Hash: argon, ChangedAt: now},
		LoginFailed{Attempts: 3, FailedAt: now},
		LoginSucceeded{SucceededAt: now},
		LoginLocked{Until: in, LockedAt: now},
		PhoneChanged{Old: phone, New: phone2, ConfirmedByPolicy: "P-1", ChangedAt: now},
		SettingsChanged{Settings: settings, ChangedAt: now},
		ConsentGiven{Purpose: PurposePersonalData, Scope: []string{"iin", "phone"}, ExpiresAt: in, GivenAt: now},
		ConsentWithdrawn{Purpose: PurposeMarketing, WithdrawnAt: now},
		ErasureRequested{RequestedAt: now},
		ErasureDeferred{Reason: ErasureOpenClaim, DeferredAt: now},
		Erased{ErasedAt: now},
	} {
		typ, data, err := EncodeEvent(e)
		require.NoError(f, err)
		f.Add(typ, data)
	}
	f.Add(TypeRegistered, []byte(`{"iin":"900115300004","phone":"+79161234567"}`))
	f.Add(TypeRegistered, []byte(`{"iin":"","phone":"","settings":null}`))
	f.Add(TypeLoginFailed, []byte(`{"attempts":-9223372036854775808}`))
	f.Add(TypeConsentGiven, []byte(`{"purpose":"","scope":[null,"x"]}`))
	history := withCode(failures(2)...)
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, ok := wiretest.RoundTrip(t, DecodeEvent, EncodeEvent, SchemaVersion, typ, data)
		if !ok {
			return
		}

		Evolve(State{}, e)
		Evolve(fold(history), e)
	})
}
