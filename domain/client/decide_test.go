package client

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/kz"
)

func runDecide(t *testing.T, tests []decideCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(fold(tt.given), tt.when, now)
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, got)
				assertNoPII(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// assertNoPII fails when an error repeats personal data of the test client.
func assertNoPII(t *testing.T, err error) {
	t.Helper()
	for _, pii := range []string{iin.String(), "Айгерим", "Сапарова", phone.String(), phone2.String(), "1234567", hmacHash, "argon2id$v"} {
		assert.NotContains(t, err.Error(), pii)
	}
}

func TestRegisterClient(t *testing.T) {
	manual := registerCmd()
	manual.Source, manual.KIASClientID = SourceManual, ""
	manual.FirstName, manual.LastName = "  Айгерим ", " Сапарова"
	wantManual := registered()
	wantManual.Source, wantManual.KIASClientID, wantManual.RegisteredAt = SourceManual, "", now

	wantKIAS := registered()
	wantKIAS.RegisteredAt = now

	without := func(f func(*RegisterClient)) RegisterClient {
		c := registerCmd()
		f(&c)
		return c
	}
	runDecide(t, []decideCase{
		{name: "found in KIAS", when: registerCmd(), want: []Event{wantKIAS}},
		{name: "typed in, names trimmed", when: manual, want: []Event{wantManual}},
		{name: "twice", given: []Event{registered()}, when: registerCmd(), wantErr: ErrAlreadyRegistered},
		{name: "after erasure", given: []Event{registered(), ErasureRequested{RequestedAt: earlier}, Erased{ErasedAt: earlier}}, when: registerCmd(), wantErr: ErrErased},
		{name: "no client id", when: without(func(c *RegisterClient) { c.ClientID = uuid.Nil }), wantErr: ErrInvalidCommand},
		{name: "no IIN", when: without(func(c *RegisterClient) { c.IIN = kz.IIN{} }), wantErr: ErrInvalidCommand},
		{name: "blank first name", when: without(func(c *RegisterClient) { c.FirstName = "  " }), wantErr: ErrInvalidCommand},
		{name: "no last name", when: without(func(c *RegisterClient) { c.LastName = "" }), wantErr: ErrInvalidCommand},
		{name: "name too long", when: without(func(c *RegisterClient) { c.LastName = strings.Repeat("я", 101) }), wantErr: ErrInvalidCommand},
		{name: "no phone", when: without(func(c *RegisterClient) { c.Phone = kz.Phone{} }), wantErr: ErrInvalidCommand},
		{name: "unknown source", when: without(func(c *RegisterClient) { c.Source = "website" }), wantErr: ErrInvalidCommand},
	})
}

func TestEveryCommandNeedsARegisteredClient(t *testing.T) {
	erased := []Event{registered(), ErasureRequested{RequestedAt: earlier}, Erased{ErasedAt: earlier}}
	for _, c := range []Command{
		IssueAccessCode{Kind: CodeChosen, Hash: argon},
		ChangeAccessCode{Hash: argon, CurrentVerified: true},
		RecordLoginAttempt{Success: false},
		ChangePhone{Phone: phone2, PolicyNumber: "P-1", PolicyVerified: true},
		ChangeSettings{Settings: Settings{AutoProlongation: true}},
		GiveConsent{Purpose: PurposeMarketing, Scope: []string{"phone"}},
		WithdrawConsent{Purpose: PurposeMarketing},
		RequestErasure{},
		CompleteErasure{},
	} {
		t.Run(fmt.Sprintf("%T", c), func(t *testing.T) {
			_, err := Decide(State{}, c, now)
			assert.ErrorIs(t, err, ErrNotRegistered)
			_, err = Decide(fold(erased), c, now)
			assert.ErrorIs(t, err, ErrErased)
		})
	}
}

type unknownCommand struct{}

func (unknownCommand) isCommand() {}

func TestDecideUnknownCommand(t *testing.T) {
	_, err := Decide(fold([]Event{registered()}), unknownCommand{}, now)
	assert.ErrorIs(t, err, ErrUnknownCommand)
}

func TestIssueAccessCode(t *testing.T) {
	in := now.Add(10 * time.Minute)
	runDecide(t, []decideCase{
		{
			name:  "one-time SMS code",
			given: []Event{registered()},
			when:  IssueAccessCode{Kind: CodeOneTime, Hash: hmacHash, ExpiresAt: in},
			want:  []Event{AccessCodeIssued{Kind: CodeOneTime, Hash: hmacHash, ExpiresAt: in, IssuedAt: now}},
		},
		{
			name:  "chosen code",
			given: []Event{registered()},
			when:  IssueAccessCode{Kind: CodeChosen, Hash: argon},
			want:  []Event{AccessCodeIssued{Kind: CodeChosen, Hash: argon, IssuedAt: now}},
		},
		{
			name:  "a new SMS code replaces the old one",
			given: withCode(),
			when:  IssueAccessCode{Kind: CodeOneTime, Hash: strings.Repeat("b2", 32), ExpiresAt: in},
			want:  []Event{AccessCodeIssued{Kind: CodeOneTime, Hash: strings.Repeat("b2", 32), ExpiresAt: in, IssuedAt: now}},
		},
		{name: "one-time without expiry", given: []Event{registered()}, when: IssueAccessCode{Kind: CodeOneTime, Hash: hmacHash}, wantErr: ErrInvalidAccessCode},
		{name: "one-time already expired", given: []Event{registered()}, when: IssueAccessCode{Kind: CodeOneTime, Hash: hmacHash, ExpiresAt: now}, wantErr: ErrInvalidAccessCode},
		{name: "one-time hash upper case", given: []Event{registered()}, when: IssueAccessCode{Kind: CodeOneTime, Hash: strings.ToUpper(hmacHash), ExpiresAt: in}, wantErr: ErrInvalidAccessCode},
		{name: "one-time hash too short", given: []Event{registered()}, when: IssueAccessCode{Kind: CodeOneTime, Hash: hmacHash[:62], ExpiresAt: in}, wantErr: ErrInvalidAccessCode},
		{name: "a plain code is not a hash", given: []Event{registered()}, when: IssueAccessCode{Kind: CodeOneTime, Hash: "123456", ExpiresAt: in}, wantErr: ErrInvalidAccessCode},
		{name: "chosen with bcrypt hash", given: []Event{registered()}, when: IssueAccessCode{Kind: CodeChosen, Hash: "$2a$10$abcdefghijklmnopqrstuv"}, wantErr: ErrInvalidAccessCode},
		{name: "chosen with argon2i", given: []Event{registered()}, when: IssueAccessCode{Kind: CodeChosen, Hash: strings.Replace(argon, "argon2id", "argon2i", 1)}, wantErr: ErrInvalidAccessCode},
		{name: "chosen with expiry", given: []Event{registered()}, when: IssueAccessCode{Kind: CodeChosen, Hash: argon, ExpiresAt: in}, wantErr: ErrInvalidAccessCode},
		{name: "unknown kind", given: []Event{registered()}, when: IssueAccessCode{Kind: "sms", Hash: hmacHash, ExpiresAt: in}, wantErr: ErrInvalidAccessCode},
	})
}

func TestChangeAccessCode(t *testing.T) {
	runDecide(t, []decideCase{
		{
			name:  "current code verified",
			given: withCode(),
			when:  ChangeAccessCode{Hash: argon2, CurrentVerified: true},
			want:  []Event{AccessCodeChanged{Kind: CodeChosen, Hash: argon2, ChangedAt: now}},
		},
		{name: "current code not verified", given: withCode(), when: ChangeAccessCode{Hash: argon2}, wantErr: ErrCurrentCodeNotVerified},
		{name: "new hash not argon2id", given: withCode(), when: ChangeAccessCode{Hash: hmacHash, CurrentVerified: true}, wantErr: ErrInvalidAccessCode},
		{
			name:    "while locked",
			given:   withCode(LoginLocked{Until: now.Add(time.Minute), LockedAt: earlier}),
			when:    ChangeAccessCode{Hash: argon2, CurrentVerified: true},
			wantErr: ErrLoginLocked,
		},
	})
}

func TestRecordLoginAttempt(t *testing.T) {
	runDecide(t, []decideCase{
		{
			name:  "success",
			given: withCode(failures(3)...),
			when:  RecordLoginAttempt{Success: true},
			want:  []Event{LoginSucceeded{SucceededAt: now}},
		},
		{
			name:  "first failure",
			given: withCode(),
			when:  RecordLoginAttempt{},
			want:  []Event{LoginFailed{Attempts: 1, FailedAt: now}},
		},
		{
			name:  "fourth failure does not lock",
			given: withCode(failures(3)...),
			when:  RecordLoginAttempt{},
			want:  []Event{LoginFailed{Attempts: 4, FailedAt: now}},
		},
		{
			name:  "fifth consecutive failure locks for 15 minutes",
			given: withCode(failures(4)...),
			when:  RecordLoginAttempt{},
			want: []Event{
				LoginFailed{Attempts: 5, FailedAt: now},
				LoginLocked{Until: now.Add(15 * time.Minute), LockedAt: now},
			},
		},
		{
			name: "a second lock-out before any success lasts twice as long",
			given: withCode(append(append(failures(5), LoginLocked{Until: earlier.Add(15 * time.Minute), LockedAt: earlier}),
				failures(4)...)...),
			when: RecordLoginAttempt{},
			want: []Event{
				LoginFailed{Attempts: 5, FailedAt: now},
				LoginLocked{Until: now.Add(30 * time.Minute), LockedAt: now},
			},
		},
		{
			name: "a success resets the growth of lock-outs",
			given: withCode(append(append(failures(5), LoginLocked{Until: earlier.Add(15 * time.Minute), LockedAt: earlier},
				LoginSucceeded{SucceededAt: earlier.Add(time.Hour)}), failures(4)...)...),
			when: RecordLoginAttempt{},
			want: []Event{
				LoginFailed{Attempts: 5, FailedAt: now},
				LoginLocked{Until: now.Add(15 * time.Minute), LockedAt: now},
			},
		},
		{
			name:  "a success in between starts the count again",
			given: withCode(append(failures(4), LoginSucceeded{SucceededAt: earlier})...),
			when:  RecordLoginAttempt{},
			want:  []Event{LoginFailed{Attempts: 1, FailedAt: now}},
		},
		{
			name:  "limits from the command",
			given: withCode(failures(2)...),
			when:  RecordLoginAttempt{MaxFailures: 3, LockFor: time.Hour},
			want: []Event{
				LoginFailed{Attempts: 3, FailedAt: now},
				LoginLocked{Until: now.Add(time.Hour), LockedAt: now},
			},
		},
		{
			name:    "a failure while locked is refused and not counted",
			given:   withCode(append(failures(5), LoginLocked{Until: now.Add(time.Second), LockedAt: earlier})...),
			when:    RecordLoginAttempt{},
			wantErr: ErrLoginLocked,
		},
		{
			name:    "a success while locked is refused too",
			given:   withCode(append(failures(5), LoginLocked{Until: now.Add(time.Second), LockedAt: earlier})...),
			when:    RecordLoginAttempt{Success: true},
			wantErr: ErrLoginLocked,
		},
		{
			name:  "after the lock ends the count starts from zero",
			given: withCode(append(failures(5), LoginLocked{Until: now, LockedAt: earlier})...),
			when:  RecordLoginAttempt{},
			want:  []Event{LoginFailed{Attempts: 1, FailedAt: now}},
		},
		{
			name:    "success without a code",
			given:   []Event{registered()},
			when:    RecordLoginAttempt{Success: true},
			wantErr: ErrNoAccessCode,
		},
		{
			name:    "success with an expired one-time code",
			given:   []Event{registered(), oneTimeIssued(now)},
			when:    RecordLoginAttempt{Success: true},
			wantErr: ErrCodeExpired,
		},
		{name: "negative limit", given: withCode(), when: RecordLoginAttempt{MaxFailures: -1}, wantErr: ErrInvalidCommand},
	})
}

func TestChangePhone(t *testing.T) {
	noPhone := registered()
	noPhone.Phone = kz.Phone{}
	runDecide(t, []decideCase{
		{
			name:  "confirmed by a verified policy number",
			given: []Event{registered()},
			when:  ChangePhone{Phone: phone2, PolicyNumber: " ОГПО-2025-0001 ", PolicyVerified: true},
			want:  []Event{PhoneChanged{Old: phone, New: phone2, ConfirmedByPolicy: "ОГПО-2025-0001", ChangedAt: now}},
		},
		{
			name:  "no phone on file needs no confirmation",
			given: []Event{noPhone},
			when:  ChangePhone{Phone: phone2},
			want:  []Event{PhoneChanged{New: phone2, ChangedAt: now}},
		},
		{name: "same phone", given: []Event{registered()}, when: ChangePhone{Phone: phone}, want: nil},
		{name: "policy number not verified", given: []Event{registered()}, when: ChangePhone{Phone: phone2, PolicyNumber: "ОГПО-2025-0001"}, wantErr: ErrPhoneConfirmationRequired},
		{name: "no policy number", given: []Event{registered()}, when: ChangePhone{Phone: phone2, PolicyVerified: true}, wantErr: ErrPhoneConfirmationRequired},
		{name: "no phone", given: []Event{registered()}, when: ChangePhone{}, wantErr: ErrInvalidCommand},
	})
}

func TestChangeSettings(t *testing.T) {
	withEmail := DefaultSettings()
	withEmail.Email = "aigerim@example.kz"
	withEmail.Notifications.ClaimStatus.Email = true
	withEmail.AutoProlongation = true

	trimmed := withEmail
	trimmed.Email = "  aigerim@example.kz "

	noAddress := DefaultSettings()
	noAddress.Notifications.Bonus.Email = true

	badAddress := withEmail
	badAddress.Email = "aigerim@localhost"

	runDecide(t, []decideCase{
		{
			name:  "email and auto-prolongation on",
			given: []Event{registered()},
			when:  ChangeSettings{Settings: trimmed},
			want:  []Event{SettingsChanged{Settings: withEmail, ChangedAt: now}},
		},
		{name: "unchanged", given: []Event{registered()}, when: ChangeSettings{Settings: DefaultSettings()}, want: nil},
		{
			name:  "unchanged after an earlier change",
			given: []Event{registered(), SettingsChanged{Settings: withEmail, ChangedAt: earlier}},
			when:  ChangeSettings{Settings: trimmed},
			want:  nil,
		},
		{name: "e-mail channel without an address", given: []Event{registered()}, when: ChangeSettings{Settings: noAddress}, wantErr: ErrInvalidSettings},
		{name: "address without a dot in the domain", given: []Event{registered()}, when: ChangeSettings{Settings: badAddress}, wantErr: ErrInvalidSettings},
	})
}

func TestValidEmail(t *testing.T) {
	for addr, want := range map[string]bool{
		"a@b.kz": true, "first.last+tag@mail.example.com": true, "айгерим@почта.қаз": true,
		"": false, "plain": false, "@b.kz": false, "a@": false, "a@b": false, "a@.kz": false,
		"a@b.": false, "a@@b.kz": false, "a b@c.kz": false, "a@b.kz,c@d.kz": false,
		strings.Repeat("a", 250) + "@b.kz": false,
	} {
		assert.Equal(t, want, validEmail(addr), addr)
	}
}

func TestConsent(t *testing.T) {
	scope := []string{"iin", "name", "phone"}
	year := now.AddDate(1, 0, 0)
	given := ConsentGiven{Purpose: PurposePersonalData, Scope: scope, ExpiresAt: year, GivenAt: earlier}
	marketing := ConsentGiven{Purpose: PurposeMarketing, Scope: []string{"phone"}, GivenAt: earlier}

	runDecide(t, []decideCase{
		{
			name:  "give",
			given: []Event{registered()},
			when:  GiveConsent{Purpose: PurposePersonalData, Scope: scope, ExpiresAt: year},
			want:  []Event{ConsentGiven{Purpose: PurposePersonalData, Scope: scope, ExpiresAt: year, GivenAt: now}},
		},
		{
			name:  "the same consent again",
			given: []Event{registered(), given},
			when:  GiveConsent{Purpose: PurposePersonalData, Scope: []string{"iin", "name", "phone"}, ExpiresAt: year},
			want:  nil,
		},
		{
			name:  "a wider scope replaces the consent",
			given: []Event{registered(), given},
			when:  GiveConsent{Purpose: PurposePersonalData, Scope: []string{"iin", "name", "phone", "documents"}, ExpiresAt: year},
			want:  []Event{ConsentGiven{Purpose: PurposePersonalData, Scope: []string{"iin", "name", "phone", "documents"}, ExpiresAt: year, GivenAt: now}},
		},
		{
			name:  "given again after withdrawal",
			given: []Event{registered(), marketing, ConsentWithdrawn{Purpose: PurposeMarketing, WithdrawnAt: earlier}},
			when:  GiveConsent{Purpose: PurposeMarketing, Scope: []string{"phone"}},
			want:  []Event{ConsentGiven{Purpose: PurposeMarketing, Scope: []string{"phone"}, GivenAt: now}},
		},
		{name: "no purpose", given: []Event{registered()}, when: GiveConsent{Scope: scope}, wantErr: ErrInvalidCommand},
		{name: "no scope", given: []Event{registered()}, when: GiveConsent{Purpose: PurposeMarketing}, wantErr: ErrInvalidCommand},
		{name: "blank scope entry", given: []Event{registered()}, when: GiveConsent{Purpose: PurposeMarketing, Scope: []string{"phone", " "}}, wantErr: ErrInvalidCommand},
		{name: "expiry in the past", given: []Event{registered()}, when: GiveConsent{Purpose: PurposeMarketing, Scope: scope, ExpiresAt: earlier}, wantErr: ErrInvalidCommand},

		{
			name:  "withdraw without contracts",
			given: []Event{registered(), given},
			when:  WithdrawConsent{Purpose: PurposePersonalData},
			want:  []Event{ConsentWithdrawn{Purpose: PurposePersonalData, WithdrawnAt: now}},
		},
		{
			name:    "withdraw while a contract needs it",
			given:   []Event{registered(), given},
			when:    WithdrawConsent{Purpose: PurposePersonalData, HasActiveContracts: true},
			wantErr: ErrConsentRequiredByContract,
		},
		{
			name:  "marketing can be withdrawn whatever the contracts",
			given: []Event{registered(), marketing},
			when:  WithdrawConsent{Purpose: PurposeMarketing, HasActiveContracts: true},
			want:  []Event{ConsentWithdrawn{Purpose: PurposeMarketing, WithdrawnAt: now}},
		},
		{
			name:  "withdraw twice",
			given: []Event{registered(), marketing, ConsentWithdrawn{Purpose: PurposeMarketing, WithdrawnAt: earlier}},
			when:  WithdrawConsent{Purpose: PurposeMarketing},
			want:  nil,
		},
		{
			name:  "an expired consent has nothing to withdraw",
			given: []Event{registered(), ConsentGiven{Purpose: PurposeThirdParties, Scope: scope, ExpiresAt: now, GivenAt: earlier}},
			when:  WithdrawConsent{Purpose: PurposeThirdParties, HasActiveContracts: true},
			want:  nil,
		},
		{name: "never given", given: []Event{registered()}, when: WithdrawConsent{Purpose: PurposeMarketing}, wantErr: ErrConsentNotGiven},
	})
}

func TestErasure(t *testing.T) {
	requested := ErasureRequested{RequestedAt: earlier}
	runDecide(t, []decideCase{
		{
			name:  "request without contracts",
			given: []Event{registered()},
			when:  RequestErasure{},
			want:  []Event{ErasureRequested{RequestedAt: now}},
		},
		{
			name:  "request with a policy in force is deferred",
			given: []Event{registered()},
			when:  RequestErasure{HasActivePolicy: true, HasOpenClaim: true},
			want:  []Event{ErasureRequested{RequestedAt: now}, ErasureDeferred{Reason: ErasureActivePolicy, DeferredAt: now}},
		},
		{
			name:  "request with an open claim is deferred",
			given: []Event{registered()},
			when:  RequestErasure{HasOpenClaim: true},
			want:  []Event{ErasureRequested{RequestedAt: now}, ErasureDeferred{Reason: ErasureOpenClaim, DeferredAt: now}},
		},
		{name: "request twice", given: []Event{registered(), requested}, when: RequestErasure{}, want: nil},
		{
			name:  "complete",
			given: []Event{registered(), requested, ErasureDeferred{Reason: ErasureOpenClaim, DeferredAt: earlier}},
			when:  CompleteErasure{},
			want:  []Event{Erased{ErasedAt: now}},
		},
		{name: "complete without a request", given: []Event{registered()}, when: CompleteErasure{}, wantErr: ErrErasureNotRequested},
		{name: "complete while a claim is open", given: []Event{registered(), requested}, when: CompleteErasure{HasOpenClaim: true}, wantErr: ErrErasureBlocked},
	})
}

func TestGrowingLockIsBounded(t *testing.T) {
	for locks, want := range []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour} {
		if got := growingLock(15*time.Minute, locks); got != want {
			t.Errorf("after %d locks: got %s, want %s", locks, got, want)
		}
	}
	if got := growingLock(15*time.Minute, 1000); got != MaxLockFor {
		t.Errorf("after 1000 locks: got %s, want %s", got, MaxLockFor)
	}
}
