package cabinet_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/esbd"
	"github.com/kabinet/kabinet/adapters/kias"
)

func startRegistration(t *testing.T, k *cabinettest.Kit, iin string) *cabinet.StartRegistrationResponse {
	t.Helper()
	return call[cabinet.StartRegistrationResponse](t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: iin})
}

func TestRegistrationOfAClientKIASKnows(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testRegistrationOfAClientKIASKnows)
}

func testRegistrationOfAClientKIASKnows(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Ерлан", LastName: "Жумабаев", Phone: phone})

	start := startRegistration(t, k, iin.String())
	assert.Equal(t, "kias", start.FoundIn)
	assert.Equal(t, "Ерлан Ж.", start.MaskedName)
	assert.Equal(t, phone.Masked(), start.MaskedPhone)
	assert.NotContains(t, start.MaskedPhone, phone.String()[5:10], "the middle digits stay hidden")

	sent := call[cabinet.SendRegistrationCodeResponse](t, k, "SendRegistrationCode", k.Website(),
		&cabinet.SendRegistrationCodeRequest{RegistrationID: start.RegistrationID})
	assert.Equal(t, phone.Masked(), sent.SentTo)
	assert.WithinDuration(t, k.Now().Add(10*time.Minute), dateTime(t, sent.ExpiresAt), 5*time.Second)
	code := smsCode(t, k, phone)

	confirmed := call[cabinet.ConfirmRegistrationResponse](t, k, "ConfirmRegistration", k.Website(),
		&cabinet.ConfirmRegistrationRequest{RegistrationID: start.RegistrationID, Code: code})
	s := confirmed.Session
	assert.Equal(t, k.Deps.Clients.IDFor(iin).String(), s.ClientID)
	assert.True(t, s.MustChangeAccessCode, "the code sent by SMS is to be replaced")
	assert.NotEmpty(t, s.Token)

	settings := call[cabinet.GetSettingsResponse](t, k, "GetSettings", session(k, s.Token), &cabinet.GetSettingsRequest{})
	assert.True(t, settings.Settings.ExpiringPolicy.SMS, "a new cabinet starts with the default settings")

	again := login(t, k, iin.String(), code)
	assert.True(t, again.MustChangeAccessCode)
	assert.Equal(t, s.ClientID, again.ClientID)
	byPhone := login(t, k, phone.String(), code)
	assert.Equal(t, s.ClientID, byPhone.ClientID)

	e := refused(t, k, "ConfirmRegistration", k.Website(), &cabinet.ConfirmRegistrationRequest{RegistrationID: start.RegistrationID, Code: code})
	wantError(t, e, cabinet.CodeNotFound, "registrationId")
	e = refused(t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: iin.String()})
	wantError(t, e, cabinet.CodeAlreadyRegistered, "iin")
}

func TestRegistrationOfAClientOnlyESBDKnows(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	k.ESBD.AddPerson(esbd.Person{IIN: iin, FirstName: "Дана", LastName: "Омарова", Phone: phone})

	start := startRegistration(t, k, iin.String())
	assert.Equal(t, "esbd", start.FoundIn)
	assert.Equal(t, "Дана О.", start.MaskedName)
	assert.Equal(t, phone.Masked(), start.MaskedPhone)

	call[cabinet.SendRegistrationCodeResponse](t, k, "SendRegistrationCode", k.Website(),
		&cabinet.SendRegistrationCodeRequest{RegistrationID: start.RegistrationID})
	s := call[cabinet.ConfirmRegistrationResponse](t, k, "ConfirmRegistration", k.Website(),
		&cabinet.ConfirmRegistrationRequest{RegistrationID: start.RegistrationID, Code: smsCode(t, k, phone)}).Session

	data := call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", session(k, s.Token), &cabinet.GetPersonalDataRequest{})
	assert.Equal(t, "Дана", data.PersonalData.FirstName)
	assert.Equal(t, "Омарова", data.PersonalData.LastName)
	assert.Equal(t, phone.String(), data.PersonalData.Phone)
}

func TestRegistrationOfAClientNobodyKnows(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()

	start := startRegistration(t, k, iin.String())
	assert.Equal(t, "none", start.FoundIn)
	assert.Empty(t, start.MaskedName)
	assert.Empty(t, start.MaskedPhone)

	for _, tc := range []struct {
		name  string
		req   cabinet.SendRegistrationCodeRequest
		field string
	}{
		{"no first name", cabinet.SendRegistrationCodeRequest{LastName: "Ким", Phone: phone.String()}, "firstName"},
		{"no last name", cabinet.SendRegistrationCodeRequest{FirstName: "Виктор", Phone: phone.String()}, "lastName"},
		{"no phone", cabinet.SendRegistrationCodeRequest{FirstName: "Виктор", LastName: "Ким"}, "phone"},
		{"not a phone", cabinet.SendRegistrationCodeRequest{FirstName: "Виктор", LastName: "Ким", Phone: "12345"}, "phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.RegistrationID = start.RegistrationID
			wantError(t, refused(t, k, "SendRegistrationCode", k.Website(), &req), cabinet.CodeInvalidArgument, tc.field)
		})
	}
	assert.Zero(t, smsTo(k, phone), "a refused request sends nothing")

	sent := call[cabinet.SendRegistrationCodeResponse](t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{
		RegistrationID: start.RegistrationID, FirstName: " Виктор ", LastName: "Ким", Phone: phone.String()})
	assert.Equal(t, phone.Masked(), sent.SentTo)
	s := call[cabinet.ConfirmRegistrationResponse](t, k, "ConfirmRegistration", k.Website(),
		&cabinet.ConfirmRegistrationRequest{RegistrationID: start.RegistrationID, Code: smsCode(t, k, phone)}).Session

	data := call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", session(k, s.Token), &cabinet.GetPersonalDataRequest{})
	assert.Equal(t, "Виктор", data.PersonalData.FirstName)
	assert.Equal(t, "Ким", data.PersonalData.LastName)
	assert.Equal(t, iin.String(), data.PersonalData.IIN)
	assert.Equal(t, phone.String(), data.PersonalData.Phone)
}

func TestRegistrationReplacingThePhoneOnFile(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	iin, onFile, typed := cabinettest.NewIIN(), cabinettest.NewPhone(), cabinettest.NewPhone()
	k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Асель", LastName: "Нурланова", Phone: onFile}, "OGPO-REPL-1")
	start := startRegistration(t, k, iin.String())

	for _, tc := range []struct{ name, policy string }{
		{"without a policy number", ""},
		{"with a policy number of nobody", "OGPO-NOPE-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := refused(t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{
				RegistrationID: start.RegistrationID, Phone: typed.String(), PolicyNumber: tc.policy})
			wantError(t, e, cabinet.CodePhoneConfirmation, "policyNumber")
		})
	}
	assert.Zero(t, smsTo(k, onFile)+smsTo(k, typed), "a refused replacement sends nothing")

	sent := call[cabinet.SendRegistrationCodeResponse](t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{
		RegistrationID: start.RegistrationID, Phone: typed.String(), PolicyNumber: "OGPO-REPL-1"})
	assert.Equal(t, typed.Masked(), sent.SentTo)
	code := smsCode(t, k, typed)
	notice, ok := k.SMS.Last(onFile)
	require.True(t, ok, "the phone on file is told")
	assert.Equal(t, cabinet.SMSPhoneReplaced, notice.Text)
	assert.NotContains(t, notice.Text, code)

	call[cabinet.ConfirmRegistrationResponse](t, k, "ConfirmRegistration", k.Website(),
		&cabinet.ConfirmRegistrationRequest{RegistrationID: start.RegistrationID, Code: code})
	assert.Equal(t, k.Deps.Clients.IDFor(iin).String(), login(t, k, typed.String(), code).ClientID, "the typed phone is the login")
	e := refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: onFile.String(), AccessCode: code})
	wantError(t, e, cabinet.CodeInvalidCredentials, "")
}

func TestRegistrationCodes(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testRegistrationCodes)
}

func testRegistrationCodes(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	ctx := context.Background()

	// open starts a registration of a new KIAS client and sends its code.
	open := func(t *testing.T) (regID, code string) {
		t.Helper()
		iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
		k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Марат", LastName: "Алиев", Phone: phone})
		regID = startRegistration(t, k, iin.String()).RegistrationID
		call[cabinet.SendRegistrationCodeResponse](t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{RegistrationID: regID})
		return regID, smsCode(t, k, phone)
	}

	t.Run("five wrong codes void the registration", func(t *testing.T) {
		regID, code := open(t)
		for i := range 5 {
			e := refused(t, k, "ConfirmRegistration", k.Website(), &cabinet.ConfirmRegistrationRequest{RegistrationID: regID, Code: otherCode(code)})
			require.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "attempt %d", i+1)
			assert.Equal(t, "code", e.Field)
		}
		e := refused(t, k, "ConfirmRegistration", k.Website(), &cabinet.ConfirmRegistrationRequest{RegistrationID: regID, Code: code})
		assert.Equal(t, cabinet.CodeLocked, e.Code, "even the right code is too late")
		e = refused(t, k, "ConfirmRegistration", k.Website(), &cabinet.ConfirmRegistrationRequest{RegistrationID: regID, Code: code})
		wantError(t, e, cabinet.CodeNotFound, "registrationId")
		e = refused(t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{RegistrationID: regID})
		wantError(t, e, cabinet.CodeNotFound, "registrationId")
	})

	t.Run("a registration of another API key is not found", func(t *testing.T) {
		regID, code := open(t)
		key, err := cabinet.CreateAPIKey(ctx, k.DB, "website-2", cabinet.RoleWebsite)
		require.NoError(t, err)
		other := cabinet.Credentials{APIKey: key}
		e := refused(t, k, "SendRegistrationCode", other, &cabinet.SendRegistrationCodeRequest{RegistrationID: regID})
		wantError(t, e, cabinet.CodeNotFound, "registrationId")
		e = refused(t, k, "ConfirmRegistration", other, &cabinet.ConfirmRegistrationRequest{RegistrationID: regID, Code: code})
		wantError(t, e, cabinet.CodeNotFound, "registrationId")
		s := call[cabinet.ConfirmRegistrationResponse](t, k, "ConfirmRegistration", k.Website(),
			&cabinet.ConfirmRegistrationRequest{RegistrationID: regID, Code: code}).Session
		assert.NotEmpty(t, s.Token, "the owner's registration is untouched")
	})

	t.Run("bad identifiers", func(t *testing.T) {
		for _, tc := range []struct{ name, iin string }{
			{"wrong check digit", "900115300004"},
			{"too short", "90011530000"},
			{"empty", ""},
		} {
			e := refused(t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: tc.iin})
			wantError(t, e, cabinet.CodeInvalidArgument, "iin")
		}
		e := refused(t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{RegistrationID: "reg-1"})
		wantError(t, e, cabinet.CodeInvalidArgument, "registrationId")
		e = refused(t, k, "ConfirmRegistration", k.Website(), &cabinet.ConfirmRegistrationRequest{RegistrationID: "reg-1", Code: "123456"})
		wantError(t, e, cabinet.CodeInvalidArgument, "registrationId")
	})

	t.Run("an already registered IIN", func(t *testing.T) {
		c := k.Client(t)
		e := refused(t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: c.IIN.String()})
		wantError(t, e, cabinet.CodeAlreadyRegistered, "iin")
	})

	t.Run("at most five SMS an hour to a phone", func(t *testing.T) {
		iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
		k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Марат", LastName: "Алиев", Phone: phone})
		regID := startRegistration(t, k, iin.String()).RegistrationID
		for range 5 {
			call[cabinet.SendRegistrationCodeResponse](t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{RegistrationID: regID})
		}
		e := refused(t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{RegistrationID: regID})
		wantError(t, e, cabinet.CodeRateLimited, "")
		assert.Positive(t, e.RetryAfter)
		assert.LessOrEqual(t, e.RetryAfter, time.Hour)
		assert.Equal(t, 5, smsTo(k, phone))
	})

	// Last: it moves the kit's clock.
	t.Run("an expired code", func(t *testing.T) {
		regID, code := open(t)
		k.Advance(11 * time.Minute)
		e := refused(t, k, "ConfirmRegistration", k.Website(), &cabinet.ConfirmRegistrationRequest{RegistrationID: regID, Code: code})
		wantError(t, e, cabinet.CodeCodeExpired, "code")
		k.Advance(20 * time.Minute)
		e = refused(t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{RegistrationID: regID})
		wantError(t, e, cabinet.CodeNotFound, "registrationId")
	})
}
