package cabinet_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
)

func TestPersonalData(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)

	stored := kias.PersonalData{LastName: "Сарсенова", FirstName: "Айгерим", MiddleName: "Болатовна", BirthDate: "1990-01-15",
		Phone: c.Phone, Email: "aigerim@example.kz", Address: "Алматы, ул. Абая, 10", DocumentType: "id_card", DocumentNumber: "041234567"}
	require.NoError(t, k.KIAS.SavePersonalData(t.Context(), c.IIN, stored))
	got := call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", mine, &cabinet.GetPersonalDataRequest{}).PersonalData
	assert.Equal(t, cabinet.PersonalData{LastName: "Сарсенова", FirstName: "Айгерим", MiddleName: "Болатовна", IIN: c.IIN.String(),
		BirthDate: "1990-01-15", Phone: c.Phone.String(), Email: "aigerim@example.kz", Address: "Алматы, ул. Абая, 10",
		DocumentType: "id_card", DocumentNumber: "041234567"}, got, "read from KIAS")

	update := cabinet.PersonalData{LastName: "Сарсенова", FirstName: "Айгерим", MiddleName: "Болатовна", BirthDate: "1990-01-15",
		AdditionalPhone: "+77051234567", Email: "a.sarsenova@example.kz", Address: "Алматы, пр. Достык, 5",
		DocumentType: "passport", DocumentNumber: "N1234567", DocumentIssuedBy: "МВД РК", DocumentIssuedOn: "2015-06-01",
		DrivingLicence: "AB123456", DrivingLicenceDate: "2010-03-20"}
	saved := call[cabinet.UpdatePersonalDataResponse](t, k, "UpdatePersonalData", mine, &cabinet.UpdatePersonalDataRequest{PersonalData: update}).PersonalData
	want := update
	want.IIN, want.Phone = c.IIN.String(), c.Phone.String()
	assert.Equal(t, want, saved)
	inKIAS, err := k.KIAS.PersonalData(t.Context(), c.IIN)
	require.NoError(t, err)
	assert.Equal(t, kias.PersonalData{LastName: "Сарсенова", FirstName: "Айгерим", MiddleName: "Болатовна", BirthDate: "1990-01-15",
		Phone: c.Phone, AdditionalPhone: "+77051234567", Email: "a.sarsenova@example.kz", Address: "Алматы, пр. Достык, 5",
		DocumentType: "passport", DocumentNumber: "N1234567", DocumentIssuedBy: "МВД РК", DocumentIssuedOn: "2015-06-01",
		DrivingLicence: "AB123456", DrivingLicenceDate: "2010-03-20"}, inKIAS, "saved to KIAS")
	got = call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", mine, &cabinet.GetPersonalDataRequest{}).PersonalData
	assert.Equal(t, want, got)

	for _, tc := range []struct {
		name   string
		change func(p *cabinet.PersonalData)
		field  string
	}{
		{"e-mail", func(p *cabinet.PersonalData) { p.Email = "aigerim at example.kz" }, "personalData.email"},
		{"e-mail with a name", func(p *cabinet.PersonalData) { p.Email = "Айгерим <a@example.kz>" }, "personalData.email"},
		{"birth date", func(p *cabinet.PersonalData) { p.BirthDate = "15.01.1990" }, "personalData.birthDate"},
		{"impossible date", func(p *cabinet.PersonalData) { p.DocumentIssuedOn = "2015-02-30" }, "personalData.documentIssuedOn"},
		{"document type", func(p *cabinet.PersonalData) { p.DocumentType = "driving_licence" }, "personalData.documentType"},
		{"no last name", func(p *cabinet.PersonalData) { p.LastName = " " }, "personalData.lastName"},
		{"no first name", func(p *cabinet.PersonalData) { p.FirstName = "" }, "personalData.firstName"},
		{"phone", func(p *cabinet.PersonalData) { p.Phone = "+1 555 0100" }, "personalData.phone"},
		{"additional phone", func(p *cabinet.PersonalData) { p.AdditionalPhone = "12" }, "personalData.additionalPhone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := update
			tc.change(&p)
			e := refused(t, k, "UpdatePersonalData", mine, &cabinet.UpdatePersonalDataRequest{PersonalData: p})
			wantError(t, e, cabinet.CodeInvalidArgument, tc.field)
		})
	}
	after, err := k.KIAS.PersonalData(t.Context(), c.IIN)
	require.NoError(t, err)
	assert.Equal(t, inKIAS, after, "a refused update saves nothing")
}

func TestPersonalDataNewPhone(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	p := k.Policy(t, c, cabinettest.PolicyOptions{})
	mine := session(k, c.Session.SessionToken)
	next := cabinettest.NewPhone()
	data := cabinet.PersonalData{LastName: c.LastName, FirstName: c.FirstName, Phone: next.String()}

	for _, number := range []string{"", "OGPO-NOT-HERS"} {
		e := refused(t, k, "UpdatePersonalData", mine, &cabinet.UpdatePersonalDataRequest{PersonalData: data, PolicyNumber: number})
		wantError(t, e, cabinet.CodePhoneConfirmation, "policyNumber")
	}
	assert.Equal(t, c.ID.String(), login(t, k, c.Phone.String(), c.Code).ClientID, "the phone is unchanged")

	saved := call[cabinet.UpdatePersonalDataResponse](t, k, "UpdatePersonalData", mine,
		&cabinet.UpdatePersonalDataRequest{PersonalData: data, PolicyNumber: p.Number}).PersonalData
	assert.Equal(t, next.String(), saved.Phone)
	assert.Equal(t, c.ID.String(), login(t, k, next.String(), c.Code).ClientID, "the new phone logs in at once")
	e := refused(t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: c.Phone.String(), AccessCode: c.Code})
	assert.Equal(t, cabinet.CodeInvalidCredentials, e.Code, "the old phone no longer does")
	m, ok := k.SMS.Last(c.Phone)
	require.True(t, ok)
	assert.Equal(t, cabinet.SMSPhoneReplaced, m.Text, "the old phone is told")
	got := call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", mine, &cabinet.GetPersonalDataRequest{}).PersonalData
	assert.Equal(t, next.String(), got.Phone)
	inKIAS, err := k.KIAS.PersonalData(t.Context(), c.IIN)
	require.NoError(t, err)
	assert.Equal(t, next, inKIAS.Phone)
}

// png is the start of a PNG file: its signature and an IHDR chunk.
var png = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"), bytes.Repeat([]byte{0x42}, 64)...)

func TestDocumentScans(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c, other := k.Client(t), k.Client(t)
	mine := session(k, c.Session.SessionToken)

	up := call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", mine, &cabinet.UploadDocumentScanRequest{
		Kind: "id_card", FileName: "udostoverenie.png", ContentType: "image/png", Content: png}).Scan
	assert.NotEmpty(t, up.ScanID)
	assert.Equal(t, "id_card", up.Kind)
	assert.Equal(t, "udostoverenie.png", up.FileName)
	assert.Equal(t, int64(len(png)), up.Size)
	assert.Equal(t, hash(string(png)), up.SHA256)
	pdf := []byte("%PDF-1.4\n% licence\n")
	call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", mine, &cabinet.UploadDocumentScanRequest{
		Kind: "driving_licence", FileName: "prava.pdf", ContentType: "application/pdf", Content: pdf})

	list := call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{}).Scans
	require.Len(t, list, 2)
	assert.Equal(t, up, list[0])
	got := call[cabinet.GetDocumentScanResponse](t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: up.ScanID})
	assert.Equal(t, up, got.Scan)
	assert.Equal(t, png, []byte(got.Content))
	assert.Empty(t, call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", session(k, other.Session.SessionToken), &cabinet.ListDocumentScansRequest{}).Scans)

	for _, tc := range []struct {
		name  string
		req   cabinet.UploadDocumentScanRequest
		field string
	}{
		{"content type other than the bytes", cabinet.UploadDocumentScanRequest{Kind: "passport", FileName: "p.jpg", ContentType: "image/jpeg", Content: png}, "contentType"},
		{"bytes of no allowed type", cabinet.UploadDocumentScanRequest{Kind: "passport", FileName: "p.gif", ContentType: "image/gif", Content: []byte("GIF89a....")}, "contentType"},
		{"too large", cabinet.UploadDocumentScanRequest{Kind: "passport", FileName: "p.png", ContentType: "image/png", Content: append(append([]byte{}, png...), make([]byte, 700<<10)...)}, "content"},
		{"empty", cabinet.UploadDocumentScanRequest{Kind: "passport", FileName: "p.png", ContentType: "image/png"}, "content"},
		{"unknown kind", cabinet.UploadDocumentScanRequest{Kind: "selfie", FileName: "p.png", ContentType: "image/png", Content: png}, "kind"},
		{"path as file name", cabinet.UploadDocumentScanRequest{Kind: "passport", FileName: "../p.png", ContentType: "image/png", Content: png}, "fileName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, refused(t, k, "UploadDocumentScan", mine, &tc.req), cabinet.CodeInvalidArgument, tc.field)
		})
	}

	e := refused(t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: "SCAN-999999"})
	wantError(t, e, cabinet.CodeNotFound, "scanId")
	theirs := call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", session(k, other.Session.SessionToken), &cabinet.UploadDocumentScanRequest{
		Kind: "id_card", FileName: "id.png", ContentType: "image/png", Content: png}).Scan
	e = refused(t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: theirs.ScanID})
	wantError(t, e, cabinet.CodeNotFound, "scanId")

	again := call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", mine, &cabinet.UploadDocumentScanRequest{
		Kind: "id_card", FileName: "id-new.png", ContentType: "image/png", Content: png}).Scan
	list = call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{}).Scans
	require.Len(t, list, 2, "a scan of the same kind replaces the one on file")
	e = refused(t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: up.ScanID})
	wantError(t, e, cabinet.CodeNotFound, "scanId")
	assert.NotEqual(t, up.ScanID, again.ScanID)
}

func TestSettings(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)

	want := cabinet.Settings{
		ExpiringPolicy: cabinet.Channels{SMS: true, Email: true}, InstallmentDue: cabinet.Channels{SMS: true},
		ClaimStatus: cabinet.Channels{Email: true}, MissingDocuments: cabinet.Channels{}, Bonus: cabinet.Channels{SMS: true, Email: true},
		AutoProlongation: true, Email: "aigerim@example.kz",
	}
	saved := call[cabinet.UpdateSettingsResponse](t, k, "UpdateSettings", mine, &cabinet.UpdateSettingsRequest{Settings: want})
	assert.Equal(t, want, saved.Settings)
	assert.Equal(t, want, call[cabinet.GetSettingsResponse](t, k, "GetSettings", mine, &cabinet.GetSettingsRequest{}).Settings)

	want.ClaimStatus.Email, want.AutoProlongation = false, false
	call[cabinet.UpdateSettingsResponse](t, k, "UpdateSettings", mine, &cabinet.UpdateSettingsRequest{Settings: want})
	assert.Equal(t, want, call[cabinet.GetSettingsResponse](t, k, "GetSettings", mine, &cabinet.GetSettingsRequest{}).Settings)

	for _, tc := range []struct {
		name string
		in   cabinet.Settings
	}{
		{"an e-mail channel without an e-mail", cabinet.Settings{Bonus: cabinet.Channels{Email: true}}},
		{"not an e-mail", cabinet.Settings{Email: "aigerim"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := refused(t, k, "UpdateSettings", mine, &cabinet.UpdateSettingsRequest{Settings: tc.in})
			wantError(t, e, cabinet.CodeInvalidArgument, "settings.email")
		})
	}
	assert.Equal(t, want, call[cabinet.GetSettingsResponse](t, k, "GetSettings", mine, &cabinet.GetSettingsRequest{}).Settings)
}
