package cabinet_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
)

// The attacks of a hostile caller on the cabinet's doors: guessing access
// and SMS codes, one after another and all at once, flooding phones with
// SMS, and forging or replaying session tokens.

// TestUnstorableTextIsRefused pins a bug: a claim number with a NUL
// character went into the event log, the claims read model could not store
// it and stopped, and every write after it waited for the read models until
// it timed out. Text that PostgreSQL cannot keep is now refused before any
// operation runs, naming the member.
func TestUnstorableTextIsRefused(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testUnstorableTextIsRefused)
}

func testUnstorableTextIsRefused(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	p := k.Policy(t, c, cabinettest.PolicyOptions{})
	own := session(k, c.Session.SessionToken)

	e := refused(t, k, "ReportClaim", k.Insurer(), &cabinet.ReportClaimRequest{Number: "VD-NUL\x00", KIASContractID: p.KIASContractID, Kind: "fire"})
	wantError(t, e, cabinet.CodeInvalidArgument, "number")
	issue := issueRequest(c.IIN.String(), "KD-NUL-1", "OGPO-NUL-1")
	issue.Drivers[0].Name = "Бекенов\x00Тимур"
	e = refused(t, k, "IssuePolicy", k.Insurer(), &issue)
	wantError(t, e, cabinet.CodeInvalidArgument, "drivers[0].name")
	e = refused(t, k, "SpendBonus", own, &cabinet.SpendBonusRequest{OrderRef: "ORDER-\xff", Points: 1})
	wantError(t, e, cabinet.CodeInvalidArgument, "orderRef")
	e = refused(t, k, "UpdateSettings", own, &cabinet.UpdateSettingsRequest{Settings: cabinet.Settings{Email: "a\x00@example.kz"}})
	wantError(t, e, cabinet.CodeInvalidArgument, "settings.email")
	e = refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code + "\x00"})
	wantError(t, e, cabinet.CodeInvalidArgument, "accessCode")

	// The read models still keep up: a claim reported now shows at once.
	got := call[cabinet.ReportClaimResponse](t, k, "ReportClaim", k.Insurer(),
		&cabinet.ReportClaimRequest{Number: "VD-NUL-2", KIASContractID: p.KIASContractID, Kind: "fire", Description: "после NUL"})
	claim := call[cabinet.GetClaimResponse](t, k, "GetClaim", own, &cabinet.GetClaimRequest{ClaimID: got.ClaimID})
	assert.Equal(t, "после NUL", claim.Claim.Description)
}

func TestResetFloodIsLimitedPerLogin(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testResetFloodIsLimitedPerLogin)
}

// testResetFloodIsLimitedPerLogin floods ResetAccessCode: each login gets
// at most SMSPerPhone codes an hour, and a login nobody has is limited
// alike, so that the limit tells nothing about who has a cabinet.
func testResetFloodIsLimitedPerLogin(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	sent := smsTo(k, c.Phone)
	nobody := cabinettest.NewIIN().String()
	for _, login := range []string{c.IIN.String(), nobody} {
		for i := range 5 {
			got := call[cabinet.ResetAccessCodeResponse](t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: login})
			require.True(t, got.Accepted, "reset %d", i+1)
		}
		e := refused(t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: login})
		wantError(t, e, cabinet.CodeRateLimited, "")
		assert.Positive(t, e.RetryAfter)
	}
	assert.Equal(t, sent+5, smsTo(k, c.Phone), "five codes reached the phone, not six")
}

func TestSMSPerCallerLimitsAFloodAcrossPhones(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testSMSPerCallerLimitsAFloodAcrossPhones)
}

// testSMSPerCallerLimitsAFloodAcrossPhones floods many phones from one API
// key, each phone under its own limit: the key's own limit stops it, for
// resets and registration codes alike, and another key is not held up.
func testSMSPerCallerLimitsAFloodAcrossPhones(t *testing.T, o cabinettest.Options) {
	o.Config = cabinet.Config{SMSPerCaller: 3}
	k := newKit(t, o)
	victims := []cabinettest.Client{k.Client(t), k.Client(t), k.Client(t), k.Client(t)}
	for _, v := range victims[:3] {
		call[cabinet.ResetAccessCodeResponse](t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: v.IIN.String()})
	}
	sent := len(k.SMS.Sent())
	e := refused(t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: victims[3].IIN.String()})
	wantError(t, e, cabinet.CodeRateLimited, "")

	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Марат", LastName: "Алиев", Phone: phone})
	reg := call[cabinet.StartRegistrationResponse](t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: iin.String()})
	e = refused(t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{RegistrationID: reg.RegistrationID})
	wantError(t, e, cabinet.CodeRateLimited, "")
	assert.Equal(t, sent, len(k.SMS.Sent()), "no SMS left after the key's limit")

	key, err := cabinet.CreateAPIKey(context.Background(), k.DB, "website-2", cabinet.RoleWebsite)
	require.NoError(t, err)
	call[cabinet.ResetAccessCodeResponse](t, k, "ResetAccessCode", cabinet.Credentials{APIKey: key}, &cabinet.ResetAccessCodeRequest{Login: victims[3].IIN.String()})
	assert.Equal(t, sent+1, len(k.SMS.Sent()), "another key has a limit of its own")
}

func TestAResetGivesAGuesserNoFreshAttempts(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAResetGivesAGuesserNoFreshAttempts)
}

// testAResetGivesAGuesserNoFreshAttempts: a guesser who asks for a new code
// between guesses, hoping it clears the count, is locked at the same fifth
// guess; and while the client is locked a reset sends nothing, so the lock
// cannot be used to flood the phone either.
func testAResetGivesAGuesserNoFreshAttempts(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	guess := &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: otherCode(c.Code)}
	for i := range 4 {
		e := refused(t, k, "Login", k.Website(), guess)
		require.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "guess %d", i+1)
	}
	call[cabinet.ResetAccessCodeResponse](t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: c.IIN.String()})
	fresh := smsCode(t, k, c.Phone)
	guess.AccessCode = otherCode(fresh)
	e := refused(t, k, "Login", k.Website(), guess)
	wantError(t, e, cabinet.CodeLocked, "")

	e = refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.Phone.String(), AccessCode: fresh})
	assert.Equal(t, cabinet.CodeLocked, e.Code, "the new code waits for the lock too")
	sent := smsTo(k, c.Phone)
	got := call[cabinet.ResetAccessCodeResponse](t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: c.IIN.String()})
	assert.True(t, got.Accepted, "the answer is the same as ever")
	assert.Equal(t, sent, smsTo(k, c.Phone), "no code goes out while the client is locked")
}

func TestGuessingTheCurrentCodeLocksTheClient(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testGuessingTheCurrentCodeLocksTheClient)
}

// testGuessingTheCurrentCodeLocksTheClient: a stolen session does not give
// a way around the lock-out: guessing the current code to set a new one
// counts as failed logins and locks the client's every door.
func testGuessingTheCurrentCodeLocksTheClient(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	stolen := session(k, c.Session.SessionToken)
	guess := &cabinet.ChangeAccessCodeRequest{CurrentCode: otherCode(c.Code), NewCode: "480725"}
	for i := range 4 {
		e := refused(t, k, "ChangeAccessCode", stolen, guess)
		require.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "guess %d", i+1)
		assert.Equal(t, "currentCode", e.Field)
	}
	e := refused(t, k, "ChangeAccessCode", stolen, guess)
	wantError(t, e, cabinet.CodeLocked, "")
	e = refused(t, k, "ChangeAccessCode", stolen, &cabinet.ChangeAccessCodeRequest{CurrentCode: c.Code, NewCode: "480725"})
	assert.Equal(t, cabinet.CodeLocked, e.Code, "the right code waits for the lock")
	e = refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code})
	assert.Equal(t, cabinet.CodeLocked, e.Code, "and so does a login")
}

func TestConcurrentGuessesStopAtTheLock(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testConcurrentGuessesStopAtTheLock)
}

// testConcurrentGuessesStopAtTheLock sends many wrong codes at once, as a
// guesser racing the lock would: no more of them are counted as ordinary
// failures than a guesser one at a time gets, none succeeds, and the lock
// holds afterwards.
func testConcurrentGuessesStopAtTheLock(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	codes := race(t, 16, func(i int) error {
		_, err := k.Call(context.Background(), "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: otherCode(c.Code)})
		return err
	})
	assert.LessOrEqual(t, codes[cabinet.CodeInvalidCredentials], 4, "at most four wrong codes before the lock: %v", codes)
	assert.Positive(t, codes[cabinet.CodeLocked], "%v", codes)
	e := refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code})
	assert.Equal(t, cabinet.CodeLocked, e.Code)
}

func TestConcurrentGuessesOfARegistrationCode(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testConcurrentGuessesOfARegistrationCode)
}

// testConcurrentGuessesOfARegistrationCode races wrong SMS codes against a
// registration: at most MaxCodeAttempts of them are checked at all, and the
// right code is too late afterwards.
func testConcurrentGuessesOfARegistrationCode(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Марат", LastName: "Алиев", Phone: phone})
	reg := call[cabinet.StartRegistrationResponse](t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: iin.String()})
	call[cabinet.SendRegistrationCodeResponse](t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{RegistrationID: reg.RegistrationID})
	code := smsCode(t, k, phone)

	codes := race(t, 12, func(i int) error {
		_, err := k.Call(context.Background(), "ConfirmRegistration", k.Website(),
			&cabinet.ConfirmRegistrationRequest{RegistrationID: reg.RegistrationID, Code: otherCode(code)})
		return err
	})
	assert.LessOrEqual(t, codes[cabinet.CodeInvalidCredentials], 5, "at most five codes are checked: %v", codes)
	e := refused(t, k, "ConfirmRegistration", k.Website(), &cabinet.ConfirmRegistrationRequest{RegistrationID: reg.RegistrationID, Code: code})
	assert.Contains(t, []cabinet.Code{cabinet.CodeLocked, cabinet.CodeNotFound}, e.Code, "the right code is too late: %v", e)
}

// race runs n calls at once and counts the codes they were refused with;
// every call must be refused with a code the caller may be told.
func race(t *testing.T, n int, attempt func(i int) error) map[cabinet.Code]int {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = attempt(i)
		})
	}
	close(start)
	wg.Wait()
	codes := map[cabinet.Code]int{}
	for i, err := range errs {
		require.Error(t, err, "attempt %d succeeded", i)
		e, ok := cabinet.ErrorOf(err)
		require.True(t, ok, "attempt %d: an error nobody mapped: %v", i, err)
		codes[e.Code]++
	}
	return codes
}

func TestForgedAndReplayedSessionTokens(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testForgedAndReplayedSessionTokens)
}

// testForgedAndReplayedSessionTokens tries what an attacker makes of a
// token seen once or of a leaked sessions table: near misses, other
// encodings, the stored digest, other secrets and ended sessions are all
// refused alike, and a session dies with its API key.
func testForgedAndReplayedSessionTokens(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	token := c.Session.SessionToken
	digest := sha256.Sum256([]byte(token))
	ended := login(t, k, c.IIN.String(), c.Code).Token
	call[cabinet.LogoutResponse](t, k, "Logout", session(k, ended), &cabinet.LogoutRequest{})
	flipped := []byte(token)
	flipped[len(flipped)/2] ^= 1

	for name, forged := range map[string]string{
		"one character changed":   string(flipped),
		"cut short":               token[:len(token)-1],
		"padded":                  token + "=",
		"in upper case":           strings.ToUpper(token),
		"in standard base64":      strings.NewReplacer("-", "+", "_", "/").Replace(token) + "=",
		"twice":                   token + token,
		"the stored digest":       base64.RawURLEncoding.EncodeToString(digest[:]),
		"the API key":             k.WebsiteKey,
		"the client's ID":         c.ID.String(),
		"SQL":                     `' OR '1'='1`,
		"4 KiB":                   strings.Repeat("A", 4096),
		"ended by logout":         ended,
		"with a NUL":              token + "\x00",
		"behind another's prefix": "Bearer " + token,
	} {
		t.Run(name, func(t *testing.T) {
			e := refused(t, k, "GetSettings", session(k, forged), &cabinet.GetSettingsRequest{})
			wantError(t, e, cabinet.CodeSessionRequired, "")
		})
	}
	call[cabinet.GetSettingsResponse](t, k, "GetSettings", session(k, token), &cabinet.GetSettingsRequest{})

	key, err := cabinet.CreateAPIKey(context.Background(), k.DB, "website-2", cabinet.RoleWebsite)
	require.NoError(t, err)
	s := call[cabinet.LoginResponse](t, k, "Login", cabinet.Credentials{APIKey: key}, &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code}).Session
	revoked, err := cabinet.RevokeAPIKey(context.Background(), k.DB, "website-2")
	require.NoError(t, err)
	require.True(t, revoked)
	e := refused(t, k, "GetSettings", cabinet.Credentials{APIKey: key, SessionToken: s.Token}, &cabinet.GetSettingsRequest{})
	wantError(t, e, cabinet.CodeAuthFailed, "")
	e = refused(t, k, "GetSettings", session(k, s.Token), &cabinet.GetSettingsRequest{})
	wantError(t, e, cabinet.CodeSessionRequired, "")
}
