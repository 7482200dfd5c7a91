package cabinet_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/internal/pii"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// The distinctive strings of a scan: one in its content, one in its file
// name. Neither may appear in plain text where kabinet keeps the copy.
const (
	contentMarker = "Скан-удостоверения-7f3a9c"
	nameMarker    = "Жанар_Сарсенова"
)

// markedPNG is a PNG scan whose bytes carry contentMarker.
var markedPNG = append(append([]byte{}, png...), contentMarker...)

// copyRow is a row of scan_copies, every column as stored.
type copyRow struct {
	ClientID      uuid.UUID
	ScanID        string
	Kind          string
	ContentType   string
	Size          int64
	SHA256        string
	UploadedAt    time.Time
	SealedName    []byte
	SealedContent []byte
	StoredAt      time.Time
}

// raw is every column's stored bytes, the sealed ones as they are.
func (r copyRow) raw() []byte {
	var b bytes.Buffer
	for _, s := range []string{r.ClientID.String(), r.ScanID, r.Kind, r.ContentType, r.SHA256,
		r.UploadedAt.String(), r.StoredAt.String()} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	b.Write(r.SealedName)
	b.WriteByte(0)
	b.Write(r.SealedContent)
	return b.Bytes()
}

// scanCopies reads the rows of scan_copies of a client, by scan ID.
func scanCopies(t *testing.T, k *cabinettest.Kit, clientID uuid.UUID) []copyRow {
	t.Helper()
	rows, err := k.DB.Query(t.Context(), `
		SELECT client_id, scan_id, kind, content_type, size, sha256, uploaded_at, sealed_name, sealed_content, stored_at
		FROM scan_copies WHERE client_id = $1 ORDER BY scan_id`, clientID)
	require.NoError(t, err)
	out, err := sqldb.CollectRows(rows, func(r sqldb.Row) (copyRow, error) {
		var x copyRow
		return x, r.Scan(&x.ClientID, &x.ScanID, &x.Kind, &x.ContentType, &x.Size, &x.SHA256, &x.UploadedAt, &x.SealedName, &x.SealedContent, &x.StoredAt)
	})
	require.NoError(t, err)
	return out
}

// putBack writes rows into scan_copies as they were, as a restored backup
// would.
func putBack(t *testing.T, k *cabinettest.Kit, rows ...copyRow) {
	t.Helper()
	for _, r := range rows {
		_, err := k.DB.Exec(t.Context(), `
			INSERT INTO scan_copies (client_id, scan_id, kind, content_type, size, sha256, uploaded_at, sealed_name, sealed_content, stored_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.ClientID, r.ScanID, r.Kind, r.ContentType, r.Size, r.SHA256, r.UploadedAt, r.SealedName, r.SealedContent, r.StoredAt)
		require.NoError(t, err)
	}
}

func upload(t *testing.T, k *cabinettest.Kit, creds cabinet.Credentials, kind, name string, content []byte) cabinet.ScanInfo {
	t.Helper()
	contentType := "image/png"
	if bytes.HasPrefix(content, []byte("%PDF-")) {
		contentType = "application/pdf"
	}
	return call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", creds, &cabinet.UploadDocumentScanRequest{
		Kind: kind, FileName: name, ContentType: contentType, Content: content}).Scan
}

func TestScanCopiesHoldNoPlainNameOrContent(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testScanCopiesHoldNoPlainNameOrContent)
}

func testScanCopiesHoldNoPlainNameOrContent(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	name := "Удостоверение " + nameMarker + ".png"
	up := upload(t, k, mine, "id_card", name, markedPNG)

	rows := scanCopies(t, k, c.ID)
	require.Len(t, rows, 1, "the upload keeps a copy")
	got := rows[0]
	assert.Equal(t, copyRow{ClientID: c.ID, ScanID: up.ScanID, Kind: "id_card", ContentType: "image/png",
		Size: int64(len(markedPNG)), SHA256: hash(string(markedPNG)), UploadedAt: got.UploadedAt,
		SealedName: got.SealedName, SealedContent: got.SealedContent, StoredAt: got.StoredAt}, got)
	assert.Equal(t, dateTime(t, up.UploadedAt), got.UploadedAt.UTC())
	for _, plain := range []string{contentMarker, nameMarker, name, string(markedPNG[8:40])} {
		assert.False(t, bytes.Contains(got.raw(), []byte(plain)), "the row holds %q in plain", plain)
	}

	// The markers are in what is sealed, so the search above could have
	// found them.
	opened, err := k.Keys.OpenBlob(t.Context(), c.ID, cabinet.ScanNameRef(up.ScanID), got.SealedName)
	require.NoError(t, err)
	assert.Equal(t, name, string(opened))
	opened, err = k.Keys.OpenBlob(t.Context(), c.ID, cabinet.ScanCopyRef(up.ScanID), got.SealedContent)
	require.NoError(t, err)
	assert.Equal(t, markedPNG, opened)
	_, err = k.Keys.OpenBlob(t.Context(), c.ID, cabinet.ScanCopyRef("SCAN-OTHER"), got.SealedContent)
	assert.Error(t, err, "a copy opens only as the scan it was sealed for")
	_, err = k.Keys.OpenBlob(t.Context(), c.ID, cabinet.ScanCopyRef(up.ScanID), got.SealedName)
	assert.Error(t, err, "a sealed name does not open as content")

	// A scan of the same kind replaces the copy, as it replaces the scan in
	// KIAS; another kind is kept beside it.
	again := upload(t, k, mine, "id_card", "id-new.png", png)
	licence := upload(t, k, mine, "driving_licence", "prava.pdf", []byte("%PDF-1.4\n% licence\n"))
	rows = scanCopies(t, k, c.ID)
	require.Len(t, rows, 2)
	assert.ElementsMatch(t, []string{again.ScanID, licence.ScanID}, []string{rows[0].ScanID, rows[1].ScanID})
}

func TestScansAreServedFromTheCopiesWhileKIASIsDown(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testScansAreServedFromTheCopiesWhileKIASIsDown)
}

func testScansAreServedFromTheCopiesWhileKIASIsDown(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c, other, stranger := k.Client(t), k.Client(t), k.Client(t)
	mine, theirs := session(k, c.Session.SessionToken), session(k, other.Session.SessionToken)
	pdf := []byte("%PDF-1.4\n% licence\n")
	id := upload(t, k, mine, "id_card", "Удостоверение "+nameMarker+".png", markedPNG)
	upload(t, k, mine, "driving_licence", "prava.pdf", pdf)
	theirScan := upload(t, k, theirs, "id_card", "id.png", png)
	listed := call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{}).Scans
	require.Len(t, listed, 2)

	k.SetKIASDown(true)
	mine.CorrelationID = "req-while-down"
	got := call[cabinet.GetDocumentScanResponse](t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: id.ScanID})
	assert.Equal(t, id, got.Scan, "the copy answers as KIAS did")
	assert.Equal(t, markedPNG, []byte(got.Content))
	log := accessLog(t, k, c.IIN)
	require.NotEmpty(t, log)
	assert.Equal(t, "GetDocumentScan", log[0].Operation, "a scan served from the copy is recorded")
	assert.Equal(t, []string{"scan:" + id.ScanID}, log[0].Fields)
	assert.Equal(t, "req-while-down", log[0].RequestID)

	list := call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{}).Scans
	assert.Equal(t, listed, list, "the copies list as KIAS did")
	log = accessLog(t, k, c.IIN)
	assert.Equal(t, "ListDocumentScans", log[0].Operation)
	assert.Equal(t, []string{"scan:" + listed[0].ScanID, "scan:" + listed[1].ScanID}, log[0].Fields)

	// A list opens the names and reads no content: a copy whose content
	// was damaged still lists, and only its download fails.
	_, err := k.DB.Exec(t.Context(), `UPDATE scan_copies SET sealed_content = $1 WHERE scan_id = $2`, []byte("damaged"), id.ScanID)
	require.NoError(t, err)
	list = call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{}).Scans
	assert.Equal(t, listed, list)
	wantError(t, refused(t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: id.ScanID}), cabinet.CodeUnavailable, "")

	// Another client's scan is not served from its copy: the answer is the
	// one for a scan that has no copy, which cannot be told apart while
	// KIAS is down.
	for _, scanID := range []string{theirScan.ScanID, "SCAN-999999"} {
		wantError(t, refused(t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: scanID}), cabinet.CodeUnavailable, "")
	}
	logged := len(accessLog(t, k, c.IIN))
	// An upload needs KIAS, and keeps no copy of what KIAS did not take.
	e := refused(t, k, "UploadDocumentScan", mine, &cabinet.UploadDocumentScanRequest{
		Kind: "passport", FileName: "p.png", ContentType: "image/png", Content: png})
	wantError(t, e, cabinet.CodeUnavailable, "")
	assert.Len(t, scanCopies(t, k, c.ID), 2)
	assert.Len(t, accessLog(t, k, c.IIN), logged, "what was not served is not recorded")
	// A client without copies learns that KIAS is unavailable, not that
	// they have no scans.
	e = refused(t, k, "ListDocumentScans", session(k, stranger.Session.SessionToken), &cabinet.ListDocumentScansRequest{})
	wantError(t, e, cabinet.CodeUnavailable, "")

	k.SetKIASDown(false)
	e = refused(t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: theirScan.ScanID})
	wantError(t, e, cabinet.CodeNotFound, "scanId")
}

func TestACopyGoesWhenKIASNoLongerHasTheScan(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testACopyGoesWhenKIASNoLongerHasTheScan)
}

func testACopyGoesWhenKIASNoLongerHasTheScan(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	id := upload(t, k, mine, "id_card", "id.png", png)
	licence := upload(t, k, mine, "driving_licence", "prava.pdf", []byte("%PDF-1.4\n% licence\n"))
	passport := upload(t, k, mine, "passport", "passport.png", png)
	require.Len(t, scanCopies(t, k, c.ID), 3)
	k.Advance(time.Second)

	// The insurer's office replaces two scans in KIAS, outside kabinet.
	for _, kind := range []kias.ScanKind{kias.ScanIDCard, kias.ScanDrivingLicence} {
		_, err := k.KIAS.SaveScan(t.Context(), c.IIN, kias.Scan{Kind: kind, FileName: "office.png", ContentType: "image/png", Content: png})
		require.NoError(t, err)
	}
	e := refused(t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: id.ScanID})
	wantError(t, e, cabinet.CodeNotFound, "scanId")
	assert.Len(t, scanCopies(t, k, c.ID), 2, "the copy of a scan KIAS no longer has goes")
	call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{})
	rows := scanCopies(t, k, c.ID)
	require.Len(t, rows, 1, "so does that of a scan KIAS no longer lists")
	assert.Equal(t, passport.ScanID, rows[0].ScanID)

	k.SetKIASDown(true)
	e = refused(t, k, "GetDocumentScan", mine, &cabinet.GetDocumentScanRequest{ScanID: licence.ScanID})
	wantError(t, e, cabinet.CodeUnavailable, "")
	list := call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{}).Scans
	assert.Equal(t, []cabinet.ScanInfo{passport}, list)
}

func TestErasureDeletesTheCopiesAndNoRestoredCopyOpens(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testErasureDeletesTheCopiesAndNoRestoredCopyOpens)
}

func testErasureDeletesTheCopiesAndNoRestoredCopyOpens(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c, other := k.Client(t), k.Client(t)
	mine := session(k, c.Session.SessionToken)
	up := upload(t, k, mine, "id_card", "Удостоверение "+nameMarker+".png", markedPNG)
	upload(t, k, mine, "driving_licence", "prava.pdf", []byte("%PDF-1.4\n% licence\n"))
	upload(t, k, session(k, other.Session.SessionToken), "id_card", "id.png", png)
	backup := scanCopies(t, k, c.ID)
	require.Len(t, backup, 2)
	_, err := k.Keys.OpenBlob(t.Context(), c.ID, cabinet.ScanCopyRef(up.ScanID), backup[0].SealedContent)
	require.NoError(t, err, "the copy opens before the erasure")

	got := call[cabinet.RequestErasureResponse](t, k, "RequestErasure", mine, &cabinet.RequestErasureRequest{})
	require.Equal(t, "erased", got.Status)
	assert.Empty(t, scanCopies(t, k, c.ID), "the erasure deletes the copies")
	assert.Len(t, scanCopies(t, k, other.ID), 1, "and only the erased client's")

	putBack(t, k, backup...)
	for _, r := range backup {
		_, err := k.Keys.OpenBlob(t.Context(), c.ID, cabinet.ScanCopyRef(r.ScanID), r.SealedContent)
		assert.ErrorIs(t, err, pii.ErrErased, "a copy restored from a backup does not open")
	}
	n, err := k.Service.Sweep(t.Context())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, int64(len(backup)))
	assert.Empty(t, scanCopies(t, k, c.ID), "the sweep deletes copies an erasure left behind")
	assert.Len(t, scanCopies(t, k, other.ID), 1)
}

// failingSeal is a keyring that cannot seal.
type failingSeal struct{ cabinet.Keyring }

func (failingSeal) SealBlob(context.Context, uuid.UUID, string, []byte) ([]byte, error) {
	return nil, errors.New("the key store is down")
}

func TestAnUploadKIASTookSucceedsWithoutItsCopy(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	var logs bytes.Buffer
	deps := k.Deps
	deps.Keys = failingSeal{k.Keys}
	svc, err := cabinet.New(deps, cabinet.Config{Now: k.Now, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)
	op, _ := cabinet.Lookup("UploadDocumentScan")
	name := "Удостоверение " + nameMarker + ".png"

	resp, err := svc.Invoke(t.Context(), op, session(k, c.Session.SessionToken), &cabinet.UploadDocumentScanRequest{
		Kind: "id_card", FileName: name, ContentType: "image/png", Content: markedPNG})
	require.NoError(t, err, "KIAS has the scan: the upload succeeded")
	up := resp.(*cabinet.UploadDocumentScanResponse).Scan
	_, err = k.KIAS.Scan(t.Context(), c.IIN, up.ScanID)
	require.NoError(t, err)
	assert.Empty(t, scanCopies(t, k, c.ID))
	assert.Contains(t, logs.String(), "keep scan copy")
	assert.Contains(t, logs.String(), up.ScanID)
	for _, plain := range []string{nameMarker, contentMarker, c.IIN.String()} {
		assert.NotContains(t, logs.String(), plain, "the log holds personal data")
	}
}
