package httpapi

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
)

var smsCode = regexp.MustCompile(`\b(\d{4,12})\b`)

// lastCode is the code in the newest SMS to phone.
func (a *api) lastCode(phone kz.Phone) string {
	a.t.Helper()
	m, ok := a.kit.SMS.Last(phone)
	require.True(a.t, ok, "an SMS went to the phone")
	code := smsCode.FindStringSubmatch(m.Text)
	require.NotNil(a.t, code, "the SMS carries a code")
	return code[1]
}

func TestRegistrationOfAClientKIASKnows(t *testing.T) {
	a := newAPI(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	a.kit.KIAS.AddPerson(kias.Person{ClientID: "K-1", IIN: iin, FirstName: "Айгерим", LastName: "Сарсенова", Phone: phone})
	website := call{key: a.kit.WebsiteKey}

	var start cabinet.StartRegistrationResponse
	a.ok(call{method: http.MethodPost, path: "/registrations", key: website.key,
		body: map[string]string{"iin": iin.String()}}, &start)
	assert.Equal(t, "kias", start.FoundIn)
	assert.Equal(t, phone.Masked(), start.MaskedPhone)
	assert.NotContains(t, start.MaskedName, "Сарсенова", "the name is masked")

	// The code goes to the phone on file: no body at all.
	var sent cabinet.SendRegistrationCodeResponse
	a.ok(call{method: http.MethodPost, path: "/registrations/" + start.RegistrationID + "/code", key: website.key}, &sent)
	assert.Equal(t, phone.Masked(), sent.SentTo)
	code := a.lastCode(phone)

	a.fails(call{method: http.MethodPost, path: "/registrations/" + start.RegistrationID + "/confirm", key: website.key,
		body: map[string]string{"code": "000000" + code}}, http.StatusUnauthorized, cabinet.CodeInvalidCredentials)
	var confirmed cabinet.ConfirmRegistrationResponse
	a.ok(call{method: http.MethodPost, path: "/registrations/" + start.RegistrationID + "/confirm", key: website.key,
		body: map[string]string{"code": code}}, &confirmed)
	assert.True(t, confirmed.Session.MustChangeAccessCode)
	session := call{key: website.key, token: confirmed.Session.Token}

	// The client chooses their own code; the SMS code stops working.
	a.fails(call{method: http.MethodPut, path: "/me/access-code", key: session.key, token: session.token,
		body: map[string]string{"currentCode": code, "newCode": "1234"}}, http.StatusBadRequest, cabinet.CodeWeakAccessCode)
	a.ok(call{method: http.MethodPut, path: "/me/access-code", key: session.key, token: session.token,
		body: map[string]string{"currentCode": code, "newCode": "480725"}}, nil)
	a.fails(call{method: http.MethodPost, path: "/sessions", key: website.key,
		body: map[string]string{"login": iin.String(), "accessCode": code}}, http.StatusUnauthorized, cabinet.CodeInvalidCredentials)
	var login cabinet.LoginResponse
	a.ok(call{method: http.MethodPost, path: "/sessions", key: website.key,
		body: map[string]string{"login": phone.String(), "accessCode": "480725"}}, &login)
	assert.False(t, login.Session.MustChangeAccessCode)

	// Logging out ends the session at once.
	mine := call{key: website.key, token: login.Session.Token}
	a.ok(call{method: http.MethodGet, path: "/me/settings", key: mine.key, token: mine.token}, nil)
	a.ok(call{method: http.MethodDelete, path: "/sessions/current", key: mine.key, token: mine.token}, nil)
	a.fails(call{method: http.MethodGet, path: "/me/settings", key: mine.key, token: mine.token},
		http.StatusUnauthorized, cabinet.CodeSessionRequired)

	// A second registration of the same IIN is refused.
	p := a.fails(call{method: http.MethodPost, path: "/registrations", key: website.key,
		body: map[string]string{"iin": iin.String()}}, http.StatusConflict, cabinet.CodeAlreadyRegistered)
	assert.Equal(t, "iin", p.Field)
}

func TestRegistrationOfAnUnknownIIN(t *testing.T) {
	a := newAPI(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	var start cabinet.StartRegistrationResponse
	a.ok(call{method: http.MethodPost, path: "/registrations", key: a.kit.WebsiteKey,
		body: map[string]string{"iin": iin.String()}}, &start)
	assert.Equal(t, "none", start.FoundIn)
	assert.Empty(t, start.MaskedPhone)

	codePath := "/registrations/" + start.RegistrationID + "/code"
	p := a.fails(call{method: http.MethodPost, path: codePath, key: a.kit.WebsiteKey,
		body: map[string]string{"firstName": "Ерлан", "lastName": "Абенов"}}, http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "phone", p.Field)
	a.ok(call{method: http.MethodPost, path: codePath, key: a.kit.WebsiteKey,
		body: map[string]string{"firstName": "Ерлан", "lastName": "Абенов", "phone": phone.String()}}, nil)

	var confirmed cabinet.ConfirmRegistrationResponse
	a.ok(call{method: http.MethodPost, path: "/registrations/" + start.RegistrationID + "/confirm", key: a.kit.WebsiteKey,
		body: map[string]string{"code": a.lastCode(phone)}}, &confirmed)
	var data cabinet.GetPersonalDataResponse
	a.ok(call{method: http.MethodGet, path: "/me/personal-data", key: a.kit.WebsiteKey, token: confirmed.Session.Token}, &data)
}

func TestAnIINWithAWrongCheckDigitNamesTheField(t *testing.T) {
	a := newAPI(t)
	iin := cabinettest.NewIIN().String()
	last, _ := strconv.Atoi(iin[11:])
	wrong := iin[:11] + strconv.Itoa((last+1)%10)
	p := a.fails(call{method: http.MethodPost, path: "/registrations", key: a.kit.WebsiteKey,
		body: map[string]string{"iin": wrong}}, http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "iin", p.Field)
	assert.NotContains(t, p.Detail, wrong, "the IIN is not echoed")
}

func TestRegisterAfterPurchase(t *testing.T) {
	a := newAPI(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	a.kit.KIAS.AddPerson(kias.Person{ClientID: "K-2", IIN: iin, FirstName: "Дана", LastName: "Ким", Phone: phone}, "OGPO-77")

	body := map[string]string{"iin": iin.String(), "phone": phone.String(), "policyNumber": "OGPO-77"}
	var first cabinet.RegisterAfterPurchaseResponse
	a.ok(call{method: http.MethodPost, path: "/registrations/after-purchase", key: a.kit.WebsiteKey, body: body}, &first)
	assert.True(t, first.Created)
	code := a.lastCode(phone)
	var again cabinet.RegisterAfterPurchaseResponse
	a.ok(call{method: http.MethodPost, path: "/registrations/after-purchase", key: a.kit.WebsiteKey, body: body}, &again)
	assert.False(t, again.Created)
	assert.Equal(t, first.ClientID, again.ClientID)

	var login cabinet.LoginResponse
	a.ok(call{method: http.MethodPost, path: "/sessions", key: a.kit.WebsiteKey,
		body: map[string]string{"login": iin.String(), "accessCode": code}}, &login)
	assert.True(t, login.Session.MustChangeAccessCode)
}

func TestResetAccessCodeAnswersAlikeForUnknownLogins(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)
	var known, unknown cabinet.ResetAccessCodeResponse
	a.ok(call{method: http.MethodPost, path: "/access-code/reset", key: a.kit.WebsiteKey,
		body: map[string]string{"login": c.IIN.String()}}, &known)
	a.ok(call{method: http.MethodPost, path: "/access-code/reset", key: a.kit.WebsiteKey,
		body: map[string]string{"login": cabinettest.NewIIN().String()}}, &unknown)
	assert.Equal(t, known, unknown)
	assert.True(t, known.Accepted)

	var login cabinet.LoginResponse
	a.ok(call{method: http.MethodPost, path: "/sessions", key: a.kit.WebsiteKey,
		body: map[string]string{"login": c.IIN.String(), "accessCode": a.lastCode(c.Phone)}}, &login)
}

func TestLockedLoginSaysWhenToRetry(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)
	wrong := call{method: http.MethodPost, path: "/sessions", key: a.kit.WebsiteKey,
		body: map[string]string{"login": c.IIN.String(), "accessCode": "99999999"}}
	var r reply
	for range 10 {
		if r = a.do(wrong); r.status != http.StatusUnauthorized {
			break
		}
	}
	require.Equal(t, http.StatusTooManyRequests, r.status, "wrong codes lock the login: %s", r.body)
	p := a.validProblem(r)
	assert.Equal(t, string(cabinet.CodeLocked), p.Code)
	assertRetryAfter(t, r, p)
}

func TestRateLimitedSaysWhenToRetry(t *testing.T) {
	a := newAPI(t, cabinettest.Options{Config: cabinet.Config{LoginsPerLogin: 2}})
	login := call{method: http.MethodPost, path: "/sessions", key: a.kit.WebsiteKey,
		body: map[string]string{"login": cabinettest.NewIIN().String(), "accessCode": "2580"}}
	a.fails(login, http.StatusUnauthorized, cabinet.CodeInvalidCredentials)
	a.fails(login, http.StatusUnauthorized, cabinet.CodeInvalidCredentials)
	r := a.do(login)
	require.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.body)
	p := a.validProblem(r)
	assert.Equal(t, string(cabinet.CodeRateLimited), p.Code)
	assertRetryAfter(t, r, p)
}

func assertRetryAfter(t *testing.T, r reply, p problem) {
	t.Helper()
	secs, err := strconv.ParseInt(r.header.Get("Retry-After"), 10, 64)
	require.NoError(t, err, "Retry-After is whole seconds")
	assert.Positive(t, secs)
	assert.Equal(t, secs, p.RetryAfterSeconds)
}
