package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
)

func TestRegistrationOfAClientKnownToKIAS(t *testing.T) {
	s := newSite(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	s.kit.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Ержан", LastName: "Ахметов", Phone: phone})

	p := s.get("/register")
	require.Equal(t, http.StatusOK, p.Status)
	p = s.post("/register", url.Values{"iin": {iin.String()}})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Contains(t, p.Body, "Шаг 2 из 3")
	assert.Contains(t, p.Body, "<dd>Ержан А.</dd>", "the name, masked")
	assert.Contains(t, p.Body, "<dd>"+phone.Masked()+"</dd>", "the phone on file, masked")
	assert.NotContains(t, p.Body, iin.String(), "the IIN is not carried on")
	id := hidden(t, p, "registrationId")

	p = s.post("/register/code", url.Values{"registrationId": {id}, "foundIn": {"kias"}, "maskedName": {"Ержан А."}, "maskedPhone": {phone.Masked()}})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Contains(t, p.Body, "Мы отправили код на номер "+phone.Masked())

	form := url.Values{"registrationId": {id}, "sentTo": {phone.Masked()}}
	form.Set("code", "000000")
	p = s.post("/register/confirm", form)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "code", "Код из SMS неверный. Проверьте его и введите снова.")

	form.Set("code", smsCode(t, s.kit, phone))
	p = s.post("/register/confirm", form)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/policies?ok=registered", p.Location())
	setCookie(t, p, sessionCookie)
	p = s.get(p.Location())
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Регистрация личного кабинета прошла успешно! Добро пожаловать в Ваш Личный кабинет!")
}

func TestRegistrationOfAnUnknownIINAsksForNameAndPhone(t *testing.T) {
	s := newSite(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	s.get("/register")

	p := s.post("/register", url.Values{"iin": {"900115300004"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "iin", "Введите ИИН: 12 цифр без пробелов. Проверьте, нет ли опечатки.")
	assert.Contains(t, p.Body, `value="900115300004"`, "what was typed stays to be corrected")

	p = s.post("/register", url.Values{"iin": {iin.String()}})
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "Мы не нашли вас")
	form := url.Values{"registrationId": {hidden(t, p, "registrationId")}, "foundIn": {"none"}}
	p = s.post("/register/code", form)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "lastName", "Введите фамилию.")
	assertFieldError(t, p, "firstName", "Введите имя.")
	assertFieldError(t, p, "phone", "Введите номер мобильного телефона.")

	form.Set("lastName", "Ким")
	form.Set("firstName", "Алия")
	form.Set("phone", "+7 916 123 45 67")
	p = s.post("/register/code", form)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "phone", "Введите номер мобильного телефона Казахстана, например +7 701 123 45 67.")

	form.Set("phone", phone.String())
	p = s.post("/register/code", form)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	p = s.post("/register/confirm", url.Values{"registrationId": form["registrationId"], "code": {smsCode(t, s.kit, phone)}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/policies?ok=registered", p.Location())

	// The IIN has a cabinet now.
	r := s.another()
	r.get("/register")
	p = r.post("/register", url.Values{"iin": {iin.String()}})
	assertFieldError(t, p, "iin", "Для этого ИИН личный кабинет уже есть. Войдите в него или восстановите код доступа.")
}

func TestSettingsAreKept(t *testing.T) {
	s := newSite(t)
	s.login(s.kit.Client(t))
	s.get("/settings")

	p := s.post("/settings", url.Values{"claimStatus.email": {"on"}, "autoProlongation": {"on"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "email", "Укажите адрес электронной почты, чтобы получать уведомления по e-mail.")
	assert.Contains(t, p.Body, `name="claimStatus.email" id="f-claimStatus-email" checked`, "the form keeps what was ticked")

	p = s.post("/settings", url.Values{"claimStatus.email": {"on"}, "email": {"not an address"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "email", "Введите адрес электронной почты целиком, например name@example.kz.")

	p = s.post("/settings", url.Values{"claimStatus.email": {"on"}, "expiringPolicy.sms": {"on"}, "autoProlongation": {"on"}, "email": {"client@example.kz"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/settings?ok=settings", p.Location())
	p = s.get("/settings")
	assert.Contains(t, p.Body, `name="claimStatus.email" id="f-claimStatus-email" checked`)
	assert.Contains(t, p.Body, `name="expiringPolicy.sms" id="f-expiringPolicy-sms" checked`)
	assert.Contains(t, p.Body, `name="autoProlongation" id="f-autoProlongation" checked`)
	assert.Contains(t, p.Body, `name="claimStatus.sms" id="f-claimStatus-sms" >`)
	assert.Contains(t, p.Body, `value="client@example.kz"`)
}

func TestChangingTheAccessCode(t *testing.T) {
	s := newSite(t)
	c := s.kit.Client(t)
	s.login(c)
	s.get("/access-code")

	p := s.post("/access-code", url.Values{"currentCode": {c.Code}, "newCode": {"1234"}, "repeatCode": {"1234"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "newCode", "Код доступа — от 4 до 12 цифр, не одна и та же цифра и не подряд идущие цифры вроде 1234.")
	p = s.post("/access-code", url.Values{"currentCode": {c.Code}, "newCode": {"2468"}, "repeatCode": {"2486"}})
	assertFieldError(t, p, "repeatCode", "Коды не совпадают. Введите новый код ещё раз.")
	p = s.post("/access-code", url.Values{"currentCode": {"975310"}, "newCode": {"2468"}, "repeatCode": {"2468"}})
	assertFieldError(t, p, "currentCode", "Текущий код доступа указан неверно.")

	p = s.post("/access-code", url.Values{"currentCode": {c.Code}, "newCode": {"2468"}, "repeatCode": {"2468"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/settings?ok=code", p.Location())
	assert.Equal(t, http.StatusOK, s.get("/settings").Status, "this session goes on")

	other := s.another()
	other.get("/login")
	p = other.post("/login", url.Values{"login": {c.Phone.String()}, "accessCode": {"2468"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/policies", p.Location(), "a chosen code needs no change")
}

func TestResetSendsANewCodeWithoutSayingWhetherTheLoginExists(t *testing.T) {
	s := newSite(t)
	c := s.kit.Client(t)
	s.get("/reset")
	for _, login := range []string{c.IIN.String(), cabinettest.NewIIN().String()} {
		p := s.post("/reset", url.Values{"login": {login}})
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		assert.Equal(t, "/login?ok=reset", p.Location())
	}
	p := s.get("/login?ok=reset")
	assert.Contains(t, p.Body, "Если такой логин зарегистрирован, новый код доступа отправлен по SMS")
	p = s.post("/login", url.Values{"login": {c.IIN.String()}, "accessCode": {smsCode(t, s.kit, c.Phone)}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
}

func TestPersonalDataAndScans(t *testing.T) {
	s := newSite(t)
	c := s.kit.Client(t)
	s.login(c)
	s.get("/profile")

	form := url.Values{"lastName": {"Сарсенова"}, "firstName": {"Айгерим"}, "phone": {c.Phone.String()},
		"email": {"aigerim@"}, "birthDate": {"15.01.1990"}, "documentType": {"id_card"}}
	p := s.post("/profile", form)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "email", "Введите адрес электронной почты целиком, например name@example.kz.")
	assert.Contains(t, p.Body, `value="aigerim@"`)

	form.Set("email", "aigerim@example.kz")
	form.Set("phone", cabinettest.NewPhone().String())
	p = s.post("/profile", form)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assertFieldError(t, p, "policyNumber", "Чтобы указать другой номер телефона, введите номер одного из ваших полисов.")

	form.Set("phone", c.Phone.String())
	p = s.post("/profile", form)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/profile?ok=profile", p.Location())
	p = s.get("/profile")
	assert.Contains(t, p.Body, `value="aigerim@example.kz"`)
	assert.Contains(t, p.Body, `id="f-birthDate" name="birthDate" type="date" value="1990-01-15"`, "a date typed the Russian way is kept")
	assert.Contains(t, p.Body, `<option value="id_card" selected>`)

	p = s.upload(t, "driving_licence", "права.png", []byte("not an image"))
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	assert.Contains(t, p.Body, `id="f-scanFile-error"`)
	assert.Contains(t, p.Body, "Приложите файл JPEG, PNG или PDF размером до 700 КБ.")

	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	p = s.upload(t, "driving_licence", `C:\scans\права.png`, png)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/profile?ok=scan", p.Location())
	p = s.get("/profile?ok=scan")
	link := regexp.MustCompile(`<a href="(/profile/scans/[^"]+)" download>Водительское удостоверение: права.png</a>`).FindStringSubmatch(p.Body)
	require.NotNil(t, link, p.Body)
	p = s.get(link[1])
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "image/png", p.Header.Get("Content-Type"))
	assert.Equal(t, string(png), p.Body)
}

// upload sends the scan form.
func (s *site) upload(t *testing.T, kind, name string, content []byte) page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(t, mw.WriteField("csrf", s.csrf))
	require.NoError(t, mw.WriteField("scanKind", kind))
	fw, err := mw.CreateFormFile("scanFile", name)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/profile/scans", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return s.do(req)
}

// hidden is the value of a hidden field of a page.
func hidden(t *testing.T, p page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`<input type="hidden" name="` + name + `" value="([^"]*)">`).FindStringSubmatch(p.Body)
	require.NotNil(t, m, "no hidden %s", name)
	return m[1]
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// smsCode is the code of the last SMS sent to phone.
func smsCode(t *testing.T, kit *cabinettest.Kit, phone kz.Phone) string {
	t.Helper()
	sent := kit.SMS.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].Phone == phone && strings.Contains(sent[i].Text, "код") {
			if code := sixDigits.FindString(sent[i].Text); code != "" {
				return code
			}
		}
	}
	t.Fatalf("no code was sent to %s", phone.Masked())
	return ""
}
