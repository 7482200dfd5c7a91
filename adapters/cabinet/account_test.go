package cabinet_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testLogin)
}

func testLogin(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)

	byIIN := login(t, k, c.IIN.String(), c.Code)
	assert.Equal(t, c.ID.String(), byIIN.ClientID)
	assert.True(t, byIIN.MustChangeAccessCode)
	assert.WithinDuration(t, k.Now().Add(12*time.Hour), dateTime(t, byIIN.ExpiresAt), 5*time.Second)
	byPhone := login(t, k, c.Phone.String(), c.Code)
	assert.Equal(t, c.ID.String(), byPhone.ClientID)
	assert.NotEqual(t, byIIN.Token, byPhone.Token)
	// The website may pass the phone as the client typed it.
	assert.Equal(t, c.ID.String(), login(t, k, "8"+c.Phone.String()[2:], c.Code).ClientID)

	wrong := refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: otherCode(c.Code)})
	wantError(t, wrong, cabinet.CodeInvalidCredentials, "")
	for _, unknown := range []string{cabinettest.NewIIN().String(), cabinettest.NewPhone().String()} {
		e := refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: unknown, AccessCode: c.Code})
		assert.Equal(t, wrong, e, "an unknown login reads as a wrong code")
	}
	for _, tc := range []struct{ name, login, code, field string }{
		{"no login", "", "123456", "login"},
		{"neither IIN nor phone", "ivanov", "123456", "login"},
		{"no code", c.IIN.String(), "", "accessCode"},
	} {
		e := refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: tc.login, AccessCode: tc.code})
		wantError(t, e, cabinet.CodeInvalidArgument, tc.field)
	}
}

func TestLoginLockGrows(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testLoginLockGrows)
}

func testLoginLockGrows(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	guess := &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: otherCode(c.Code)}

	for i := range 4 {
		e := refused(t, k, "Login", k.Website(), guess)
		require.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "attempt %d", i+1)
	}
	e := refused(t, k, "Login", k.Website(), guess)
	wantError(t, e, cabinet.CodeLocked, "")
	retryAfter(t, e, 15*time.Minute)
	e = refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.Phone.String(), AccessCode: c.Code})
	assert.Equal(t, cabinet.CodeLocked, e.Code, "the right code waits for the lock too, by any login")

	k.Advance(16 * time.Minute)
	for i := range 4 {
		e := refused(t, k, "Login", k.Website(), guess)
		require.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "attempt %d after the lock", i+1)
	}
	e = refused(t, k, "Login", k.Website(), guess)
	wantError(t, e, cabinet.CodeLocked, "")
	retryAfter(t, e, 30*time.Minute)
}

func TestLoginsPerLoginAreLimited(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testLoginsPerLoginAreLimited)
}

func testLoginsPerLoginAreLimited(t *testing.T, o cabinettest.Options) {
	o.Config = cabinet.Config{LoginsPerLogin: 3}
	k := newKit(t, o)
	c := k.Client(t) // its Login is the first of three
	login(t, k, c.IIN.String(), c.Code)
	e := refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: otherCode(c.Code)})
	assert.Equal(t, cabinet.CodeInvalidCredentials, e.Code)
	e = refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code})
	wantError(t, e, cabinet.CodeRateLimited, "")
	assert.Positive(t, e.RetryAfter)
	assert.LessOrEqual(t, e.RetryAfter, 15*time.Minute)

	unknown := cabinettest.NewIIN().String()
	for range 3 {
		e = refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: unknown, AccessCode: "123456"})
		assert.Equal(t, cabinet.CodeInvalidCredentials, e.Code)
	}
	e = refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: unknown, AccessCode: "123456"})
	assert.Equal(t, cabinet.CodeRateLimited, e.Code, "unknown logins are limited alike")

	assert.Equal(t, c.ID.String(), login(t, k, c.Phone.String(), c.Code).ClientID, "each login has its own counter")
}

func TestSessions(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testSessions)
}

func testSessions(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	get := func(token string) error {
		_, err := k.Call(t.Context(), "GetSettings", session(k, token), &cabinet.GetSettingsRequest{})
		return err
	}

	t.Run("logout ends the session only", func(t *testing.T) {
		a, b := login(t, k, c.IIN.String(), c.Code), login(t, k, c.IIN.String(), c.Code)
		call[cabinet.LogoutResponse](t, k, "Logout", session(k, a.Token), &cabinet.LogoutRequest{})
		e, _ := cabinet.ErrorOf(get(a.Token))
		assert.Equal(t, cabinet.CodeSessionRequired, e.Code)
		assert.NoError(t, get(b.Token))
	})

	t.Run("a session of another API key", func(t *testing.T) {
		key, err := cabinet.CreateAPIKey(t.Context(), k.DB, "website-2", cabinet.RoleWebsite)
		require.NoError(t, err)
		_, err = k.Call(t.Context(), "GetSettings", cabinet.Credentials{APIKey: key, SessionToken: c.Session.SessionToken}, &cabinet.GetSettingsRequest{})
		e, _ := cabinet.ErrorOf(err)
		assert.Equal(t, cabinet.CodeSessionRequired, e.Code, "a session belongs to the caller that opened it")
	})

	// Last: it moves the kit's clock.
	t.Run("a session expires", func(t *testing.T) {
		s := login(t, k, c.IIN.String(), c.Code)
		k.Advance(11*time.Hour + 59*time.Minute)
		require.NoError(t, get(s.Token))
		k.Advance(2 * time.Minute)
		e, _ := cabinet.ErrorOf(get(s.Token))
		assert.Equal(t, cabinet.CodeSessionRequired, e.Code)
	})
}

func TestChangeAccessCode(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testChangeAccessCode)
}

func testChangeAccessCode(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	other := login(t, k, c.IIN.String(), c.Code)
	mine := session(k, c.Session.SessionToken)

	for _, weak := range []string{"1234", "0000", "98765", "12", "12ab56", "1234567890123"} {
		e := refused(t, k, "ChangeAccessCode", mine, &cabinet.ChangeAccessCodeRequest{CurrentCode: c.Code, NewCode: weak})
		wantError(t, e, cabinet.CodeWeakAccessCode, "newCode")
		if len(weak) >= 4 {
			assert.NotContains(t, e.Message, weak, "the message never repeats the code")
		}
	}
	e := refused(t, k, "ChangeAccessCode", mine, &cabinet.ChangeAccessCodeRequest{CurrentCode: otherCode(c.Code), NewCode: "2580"})
	wantError(t, e, cabinet.CodeInvalidCredentials, "currentCode")
	e = refused(t, k, "ChangeAccessCode", mine, &cabinet.ChangeAccessCodeRequest{NewCode: "2580"})
	wantError(t, e, cabinet.CodeInvalidArgument, "currentCode")

	call[cabinet.ChangeAccessCodeResponse](t, k, "ChangeAccessCode", mine, &cabinet.ChangeAccessCodeRequest{CurrentCode: c.Code, NewCode: "2580"})
	_, err := k.Call(t.Context(), "GetSettings", session(k, other.Token), &cabinet.GetSettingsRequest{})
	e, _ = cabinet.ErrorOf(err)
	assert.Equal(t, cabinet.CodeSessionRequired, e.Code, "the client's other sessions end")
	_, err = k.Call(t.Context(), "GetSettings", mine, &cabinet.GetSettingsRequest{})
	assert.NoError(t, err, "the session that changed the code goes on")

	s := login(t, k, c.Phone.String(), "2580")
	assert.False(t, s.MustChangeAccessCode)
	e = refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code})
	assert.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "the old code is gone")
}

func TestResetAccessCode(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	unknownIIN, unknownPhone := cabinettest.NewIIN(), cabinettest.NewPhone()
	sent := len(k.SMS.Sent())

	known := call[cabinet.ResetAccessCodeResponse](t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: c.IIN.String()})
	for _, l := range []string{unknownIIN.String(), unknownPhone.String()} {
		unknown := call[cabinet.ResetAccessCodeResponse](t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: l})
		assert.Equal(t, known, unknown, "the answer does not tell whether the login exists")
	}
	assert.True(t, known.Accepted)
	require.Equal(t, sent+1, len(k.SMS.Sent()), "only the known login gets an SMS")

	code := smsCode(t, k, c.Phone)
	assert.NotEqual(t, c.Code, code)
	s := login(t, k, c.IIN.String(), code)
	assert.True(t, s.MustChangeAccessCode)
	e := refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: c.Code})
	assert.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "the new code replaces the old one")

	e = refused(t, k, "ResetAccessCode", k.Website(), &cabinet.ResetAccessCodeRequest{Login: "nobody"})
	wantError(t, e, cabinet.CodeInvalidArgument, "login")
}
