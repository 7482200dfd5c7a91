package cabinet_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// jpeg is the start of a JPEG file: enough for the upload's check.
var jpeg = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}

// accessLog reads a client's access log, all of it, newest first.
func accessLog(t *testing.T, k *cabinettest.Kit, iin kz.IIN) []cabinet.AccessRecord {
	t.Helper()
	got, err := cabinet.AccessLog(context.Background(), k.DB, k.Deps.Clients.IDFor(iin), time.Time{})
	require.NoError(t, err)
	return got
}

// accessLogText is every column of every row of the access log as text.
func accessLogText(t *testing.T, k *cabinettest.Kit) string {
	t.Helper()
	rows, err := k.DB.Query(context.Background(),
		`SELECT concat_ws('|', id, at, client_id, caller, actor, operation, fields, request_id) FROM access_log`)
	require.NoError(t, err)
	lines, err := sqldb.CollectRows(rows, func(r sqldb.Row) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
	require.NoError(t, err)
	require.NotEmpty(t, lines)
	return strings.Join(lines, "\n")
}

func TestAccessLogRecordsEveryReadOfPersonalData(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAccessLogRecordsEveryReadOfPersonalData)
}

func testAccessLogRecordsEveryReadOfPersonalData(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	ctx := t.Context()
	c := k.Client(t)
	assert.Empty(t, accessLog(t, k, c.IIN), "a login answer carries no personal data")

	card := kias.PersonalData{LastName: "Жумабекова", FirstName: "Динара", MiddleName: "Ерлановна", BirthDate: "1988-07-04",
		Phone: c.Phone, Email: "dinara.zh@example.kz", Address: "Астана, ул. Кенесары, 42", DocumentType: "id_card",
		DocumentNumber: "N9988776", DocumentIssuedBy: "МВД РК", DocumentIssuedOn: "2016-02-03"}
	require.NoError(t, k.KIAS.SavePersonalData(ctx, c.IIN, card))
	mine := session(k, c.Session.SessionToken)
	mine.CorrelationID = "req-personal-1"

	before := k.Now()
	call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", mine, &cabinet.GetPersonalDataRequest{})
	log := accessLog(t, k, c.IIN)
	require.Len(t, log, 1)
	got := log[0]
	assert.Equal(t, c.ID, got.ClientID)
	assert.Equal(t, "website", got.Caller)
	assert.Equal(t, "client:"+c.ID.String(), got.Actor)
	assert.Equal(t, "GetPersonalData", got.Operation)
	assert.Equal(t, "req-personal-1", got.RequestID)
	assert.Equal(t, []string{"lastName", "firstName", "middleName", "iin", "birthDate", "phone", "email", "address",
		"documentType", "documentNumber", "documentIssuedBy", "documentIssuedOn"}, got.Fields, "the fields the answer carried, by name")
	assert.False(t, got.At.Before(before.Truncate(time.Microsecond)), "at %s, read at %s", got.At, before)
	assert.False(t, got.At.After(k.Now()))

	mine.CorrelationID = "req-scans"
	up := call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", mine, &cabinet.UploadDocumentScanRequest{
		Kind: "passport", FileName: "Жумабекова паспорт.jpg", ContentType: "image/jpeg", Content: jpeg}).Scan
	call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{})
	call[cabinet.GetDocumentScanResponse](t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: up.ScanID})
	update := cabinet.PersonalData{LastName: "Жумабекова", FirstName: "Динара", AdditionalPhone: "+7 727 250 11 22"}
	call[cabinet.UpdatePersonalDataResponse](t, k, "UpdatePersonalData", mine, &cabinet.UpdatePersonalDataRequest{PersonalData: update})

	log = accessLog(t, k, c.IIN)
	require.Len(t, log, 5)
	var ops []string
	for _, r := range log {
		ops = append(ops, r.Operation)
	}
	assert.Equal(t, []string{"UpdatePersonalData", "GetDocumentScan", "ListDocumentScans", "UploadDocumentScan", "GetPersonalData"}, ops, "newest first")
	scan := []string{"scan:" + up.ScanID}
	assert.Equal(t, []string{"lastName", "firstName", "iin", "phone", "additionalPhone"}, log[0].Fields)
	assert.Equal(t, scan, log[1].Fields)
	assert.Equal(t, scan, log[2].Fields)
	assert.Equal(t, scan, log[3].Fields)
	assert.Greater(t, log[0].ID, log[1].ID)

	text := accessLogText(t, k)
	for _, value := range []string{
		c.IIN.String(), c.Phone.String(), strings.TrimPrefix(c.Phone.String(), "+"), c.Phone.Masked(),
		"Жумабекова", "Динара", "Ерлановна", "1988-07-04", "dinara.zh@example.kz", "Кенесары", "N9988776", "МВД РК", "2016-02-03",
		"250 11 22", "паспорт", "JFIF",
	} {
		assert.NotContains(t, text, value, "the access log holds a value of personal data")
	}
}

func TestAccessLogRecordsLookupsAndTheEmailOfSettings(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAccessLogRecordsLookupsAndTheEmailOfSettings)
}

func testAccessLogRecordsLookupsAndTheEmailOfSettings(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Гульнара", LastName: "Абенова", Phone: phone})
	web := k.Website()
	web.CorrelationID = "req-lookup"
	start := call[cabinet.StartRegistrationResponse](t, k, "StartRegistration", web, &cabinet.StartRegistrationRequest{IIN: iin.String()})
	require.NotEmpty(t, start.MaskedName)

	log := accessLog(t, k, iin)
	require.Len(t, log, 1, "a lookup that shows a name is recorded under the client ID the IIN will have")
	assert.Equal(t, "StartRegistration", log[0].Operation)
	assert.Equal(t, "api:website", log[0].Actor)
	assert.Equal(t, "website", log[0].Caller)
	assert.Equal(t, "req-lookup", log[0].RequestID)
	assert.Equal(t, []string{"maskedName", "maskedPhone"}, log[0].Fields)

	nobody := cabinettest.NewIIN()
	none := call[cabinet.StartRegistrationResponse](t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: nobody.String()})
	require.Equal(t, "none", none.FoundIn)
	assert.Empty(t, accessLog(t, k, nobody), "a lookup that found nobody showed nothing")

	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	call[cabinet.GetSettingsResponse](t, k, "GetSettings", mine, &cabinet.GetSettingsRequest{})
	assert.Empty(t, accessLog(t, k, c.IIN), "settings without an e-mail address carry no personal data")
	set := cabinet.Settings{ClaimStatus: cabinet.Channels{Email: true}, Email: "g.abenova@example.kz"}
	call[cabinet.UpdateSettingsResponse](t, k, "UpdateSettings", mine, &cabinet.UpdateSettingsRequest{Settings: set})
	call[cabinet.GetSettingsResponse](t, k, "GetSettings", mine, &cabinet.GetSettingsRequest{})
	log = accessLog(t, k, c.IIN)
	require.Len(t, log, 2)
	assert.Equal(t, "GetSettings", log[0].Operation)
	assert.Equal(t, "UpdateSettings", log[1].Operation)
	assert.Equal(t, []string{"email"}, log[0].Fields)

	text := accessLogText(t, k)
	for _, value := range []string{iin.String(), phone.String(), phone.Masked(), "Гульнара", "Абенова", start.MaskedName, "g.abenova@example.kz"} {
		assert.NotContains(t, text, value, "the access log holds a value of personal data")
	}
}

func TestAccessLogRecordsKIASPrintForms(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAccessLogRecordsKIASPrintForms)
}

func testAccessLogRecordsKIASPrintForms(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	mine.CorrelationID = "req-print-form"
	printed, rendered := k.Policy(t, c, cabinettest.PolicyOptions{}), k.Policy(t, c, cabinettest.PolicyOptions{})
	k.KIAS.SetPrintForm(printed.KIASContractID, []byte("%PDF-1.7 ИИН "+c.IIN.String()))

	doc := call[cabinet.GetPolicyDocumentResponse](t, k, "GetPolicyDocument", mine, &cabinet.GetPolicyDocumentRequest{PolicyID: printed.ID.String()})
	require.Equal(t, "kias", doc.Source)
	log := accessLog(t, k, c.IIN)
	require.Len(t, log, 1, "KIAS's print form shows IINs in full")
	assert.Equal(t, "GetPolicyDocument", log[0].Operation)
	assert.Equal(t, "client:"+c.ID.String(), log[0].Actor)
	assert.Equal(t, "req-print-form", log[0].RequestID)
	assert.Equal(t, []string{"printForm:" + printed.ID.String()}, log[0].Fields)

	own := call[cabinet.GetPolicyDocumentResponse](t, k, "GetPolicyDocument", mine, &cabinet.GetPolicyDocumentRequest{PolicyID: rendered.ID.String()})
	require.Equal(t, "kabinet", own.Source)
	assert.Len(t, accessLog(t, k, c.IIN), 1, "kabinet's own rendering masks the IINs and is not recorded")
	assert.NotContains(t, accessLogText(t, k), c.IIN.String())
}

func TestAReadThatCannotBeRecordedIsNotServed(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAReadThatCannotBeRecordedIsNotServed)
}

func testAReadThatCannotBeRecordedIsNotServed(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	ctx := t.Context()
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	up := call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", mine, &cabinet.UploadDocumentScanRequest{
		Kind: "passport", FileName: "p.jpg", ContentType: "image/jpeg", Content: jpeg}).Scan
	p := k.Policy(t, c, cabinettest.PolicyOptions{})
	k.KIAS.SetPrintForm(p.KIASContractID, []byte("%PDF-1.7"))

	_, err := k.DB.Exec(ctx, `ALTER TABLE access_log RENAME TO access_log_elsewhere`)
	require.NoError(t, err)
	for _, tc := range []struct {
		op  string
		req any
	}{
		{"GetPersonalData", &cabinet.GetPersonalDataRequest{}},
		{"ListDocumentScans", &cabinet.ListDocumentScansRequest{}},
		{"GetDocumentScan", &cabinet.GetDocumentScanRequest{ScanID: up.ScanID}},
		{"GetPolicyDocument", &cabinet.GetPolicyDocumentRequest{PolicyID: p.ID.String()}},
	} {
		resp, err := k.Call(ctx, tc.op, mine, tc.req)
		require.Error(t, err, "%s answered %+v without a record", tc.op, resp)
		assert.Nil(t, resp, tc.op)
		e, ok := cabinet.ErrorOf(err)
		assert.False(t, ok, "%s: %v", tc.op, err)
		assert.Equal(t, cabinet.CodeInternal, e.Code)
	}
}

func TestAccessLogSince(t *testing.T) {
	t.Parallel()
	k := newKit(t, cabinettest.Options{SQLite: true})
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", mine, &cabinet.GetPersonalDataRequest{})
	k.Advance(2 * time.Hour)
	cut := k.Now()
	call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{})
	k.Advance(time.Hour)
	call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", mine, &cabinet.GetPersonalDataRequest{})

	got, err := cabinet.AccessLog(t.Context(), k.DB, c.ID, cut.Add(-time.Minute))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "GetPersonalData", got[0].Operation)
	assert.Equal(t, "ListDocumentScans", got[1].Operation)
	assert.Equal(t, []string{}, got[1].Fields, "a list of no scans is a read all the same")
	assert.Len(t, accessLog(t, k, c.IIN), 3)
}

// TestEveryAnswerWithPersonalDataIsRecorded guards the list of operations
// that record: an operation whose answer carries the personal data card or
// scans must call recordAccess, be tested above and be named here.
func TestEveryAnswerWithPersonalDataIsRecorded(t *testing.T) {
	personal := []reflect.Type{reflect.TypeFor[cabinet.PersonalData](), reflect.TypeFor[cabinet.ScanInfo]()}
	var carry []string
	for _, op := range cabinet.Operations() {
		if carries(op.Response, personal, map[reflect.Type]bool{}) {
			carry = append(carry, op.Name)
		}
	}
	slices.Sort(carry)
	assert.Equal(t, []string{"GetDocumentScan", "GetPersonalData", "ListDocumentScans", "UpdatePersonalData", "UploadDocumentScan"}, carry)
}

func carries(t reflect.Type, want []reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if slices.Contains(want, t) {
		return true
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return false
	}
	seen[t] = true
	for i := range t.NumField() {
		if carries(t.Field(i).Type, want, seen) {
			return true
		}
	}
	return false
}
