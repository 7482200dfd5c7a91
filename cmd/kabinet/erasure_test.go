package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/sms"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/pgtest"
)

// erasedPerson is a client with personal data in every place kabinet keeps
// some: the registration (IIN, names, phone, e-mail), a policy (holder,
// driver, vehicle) and a claim (the client's account of it).
type erasedPerson struct {
	iin, driverIIN                    kz.IIN
	first, last, phone, email         string
	driver, plate, vin, model, report string
	scanName, scanText                string // the file name of a scan, and a string in its content
}

func newErasedPerson(t *testing.T) erasedPerson {
	iins := holderIINs(t, 40)
	return erasedPerson{
		iin: iins[37], driverIIN: iins[38],
		first: "Меруертгүл", last: "Жанболатқызы", phone: "+77071230987", email: "meruertgul.zh@example.kz",
		driver: "Ерасылбек Жанболатұлы", plate: "909ZQZ05", vin: "XW8ZZZ61ZKG123987", model: "Octavia Scout",
		report:   "Разбито зеркало у дома на улице Жамбыла, 114",
		scanName: "Удостоверение_Жанболатқызы_2024.png", scanText: "scan-of-id-card-4c1e9b",
	}
}

// identifying is every string that would tell who the client was.
func (p erasedPerson) identifying() []string {
	return []string{p.iin.String(), p.driverIIN.String(), p.first, p.last, p.phone,
		strings.TrimPrefix(p.phone, "+"), p.email, p.driver, p.plate, p.vin, p.model, p.report, p.scanName, p.scanText}
}

// TestErasureLeavesNoPersonalData erases a client through the API and then
// reads every row of every table (events, read models, keys, the API's own
// tables) and every line serve and the operator commands printed: none of
// the client's identifying strings is left in plain text, before and after
// a rebuild of the read models, while the log still verifies.
func TestErasureLeavesNoPersonalData(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv("KABINET_DATABASE_URL", "")
		t.Setenv("KABINET_DATA_DIR", dir)
		path := filepath.Join(dir, "kabinet.db")
		testErasure(t, func(t *testing.T) string { return dumpSQLite(t, path) })
	})
	t.Run("postgres", func(t *testing.T) {
		_, url := pgtest.New(t)
		dir := t.TempDir()
		t.Setenv("KABINET_DATABASE_URL", url)
		t.Setenv("KABINET_DATA_DIR", dir)
		testErasure(t, func(t *testing.T) string { return dumpPostgres(t, url) })
	})
}

func testErasure(t *testing.T, dump func(*testing.T) string) {
	p := newErasedPerson(t)
	var printed strings.Builder
	cli := func(args ...string) string {
		t.Helper()
		out, err := kabinet(t, args...)
		printed.WriteString(out)
		require.NoError(t, err, "%v: %s", args, out)
		return out
	}
	insurer, _, _ := strings.Cut(cli("apikey", "create", "office", "--role", "insurer"), "\n")
	website, _, _ := strings.Cut(cli("apikey", "create", "site", "--role", "website"), "\n")

	// The SMS gateway is the test's, so that the client's access code can
	// be read and the client can log in and upload a scan.
	gateway := sms.NewSimulator()
	gw := httptest.NewServer(gateway.Handler())
	t.Cleanup(gw.Close)
	t.Setenv("KABINET_SMS_URL", gw.URL)
	t.Setenv("KABINET_SMS_API_KEY", "erasure-test")

	s := startServe(t)
	s.waitReady(t, time.Minute)
	post := func(key, path string, body any, out any) {
		t.Helper()
		b, err := json.Marshal(body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, s.call(t, http.MethodPost, path, key, "", string(b), out), "POST %s", path)
	}

	// A contract that ended last month, a claim on it that is closed, and
	// the cabinet opened after the purchase.
	today := time.Now().UTC()
	var issued cabinet.IssuePolicyResponse
	post(insurer, "/insurer/policies", cabinet.IssuePolicyRequest{
		KIASContractID: "KD-E-1", Number: "OGPO-E-1", Product: "ogpo_vts", Insurer: "АО «Страховая компания»",
		StartsOn: cabinet.Date(today.AddDate(-1, 0, -30).Format(time.DateOnly)),
		EndsOn:   cabinet.Date(today.AddDate(0, 0, -31).Format(time.DateOnly)),
		Holder:   cabinet.PersonInput{Name: p.last + " " + p.first, IIN: p.iin.String()},
		Drivers: []cabinet.PersonInput{{Name: p.last + " " + p.first, IIN: p.iin.String()},
			{Name: p.driver, IIN: p.driverIIN.String()}},
		Vehicle: &cabinet.Vehicle{Make: "Skoda", Model: p.model, Plate: p.plate, VIN: p.vin, Year: 2018},
		Premium: "31500.00", PaymentMethod: "card",
		InsuredPersons: []cabinet.PersonInput{}, Installments: []cabinet.InstallmentInput{},
	}, &issued)
	policyID := issued.PolicyID
	var reg cabinet.RegisterAfterPurchaseResponse
	post(website, "/registrations/after-purchase", cabinet.RegisterAfterPurchaseRequest{
		IIN: p.iin.String(), Phone: p.phone, PolicyNumber: "OGPO-E-1", FirstName: p.first, LastName: p.last}, &reg)
	// The client logs in with the code the purchase sent and uploads a
	// scan, of which kabinet keeps a sealed copy.
	var msg sms.Message
	require.Eventually(t, func() bool {
		var ok bool
		msg, ok = gateway.Last(kz.MustParsePhone(p.phone))
		return ok
	}, 30*time.Second, 20*time.Millisecond, "the purchase sends an access code")
	code := regexp.MustCompile(`\d{4,8}`).FindString(msg.Text)
	var login cabinet.LoginResponse
	body, err := json.Marshal(cabinet.LoginRequest{Login: p.iin.String(), AccessCode: code})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, s.call(t, http.MethodPost, "/sessions", website, "", string(body), &login))
	scan := append([]byte("\x89PNG\r\n\x1a\n"), p.scanText...)
	body, err = json.Marshal(cabinet.UploadDocumentScanRequest{Kind: "id_card", FileName: p.scanName, ContentType: "image/png", Content: scan})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, s.call(t, http.MethodPost, "/me/scans", website, login.Session.Token, string(body), nil))
	var scans cabinet.ListDocumentScansResponse
	require.Equal(t, http.StatusOK, s.call(t, http.MethodGet, "/me/scans", website, login.Session.Token, "", &scans))
	require.Len(t, scans.Scans, 1)
	assert.Equal(t, p.scanName, scans.Scans[0].FileName)

	post(insurer, "/insurer/claims", cabinet.ReportClaimRequest{
		Number: "VD-E-1", KIASContractID: "KD-E-1", Kind: "vandalism", Description: p.report}, nil)
	post(insurer, "/insurer/claims/VD-E-1/status", map[string]string{"status": "withdrawn"}, nil)

	// The read models hold the data before the erasure: the search below
	// can find it.
	before := dump(t)
	for _, want := range []string{p.last, p.plate, p.report} {
		assert.Contains(t, before, want, "the dump must show personal data before the erasure")
	}

	var erased cabinet.EraseClientResponse
	post(insurer, "/insurer/clients/erasure", cabinet.EraseClientRequest{IIN: p.iin.String()}, &erased)
	require.Equal(t, "erased", erased.Status, "%+v", erased)
	assert.Equal(t, reg.ClientID, erased.ClientID)
	// Nothing personal can be kept for the client any more: a new contract
	// of theirs is refused, clearly, and writes nothing.
	body, err = json.Marshal(cabinet.IssuePolicyRequest{
		KIASContractID: "KD-E-2", Number: "OGPO-E-2", Product: "ogpo_vts", Insurer: "АО «Страховая компания»",
		StartsOn: cabinet.Date(today.Format(time.DateOnly)), EndsOn: cabinet.Date(today.AddDate(1, 0, -1).Format(time.DateOnly)),
		Holder:  cabinet.PersonInput{Name: p.last + " " + p.first, IIN: p.iin.String()},
		Drivers: []cabinet.PersonInput{{Name: p.last + " " + p.first, IIN: p.iin.String()}},
		Vehicle: &cabinet.Vehicle{Make: "Skoda", Model: p.model, Plate: p.plate, VIN: p.vin, Year: 2018},
		Premium: "31500.00", PaymentMethod: "card",
		InsuredPersons: []cabinet.PersonInput{}, Installments: []cabinet.InstallmentInput{},
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, s.call(t, http.MethodPost, "/insurer/policies", insurer, "", string(body), nil))
	// Asking again answers the same and changes nothing.
	post(insurer, "/insurer/clients/erasure", cabinet.EraseClientRequest{IIN: p.iin.String()}, &erased)
	require.Equal(t, "erased", erased.Status, "%+v", erased)
	require.NoError(t, s.stop(), s.stderr.String())
	printed.WriteString(s.stdout.String() + s.stderr.String())

	check := func(when, dumped string) {
		t.Helper()
		for _, id := range p.identifying() {
			assert.NotContains(t, dumped, id, "%s: the database still holds %q", when, id)
			assert.NotContains(t, printed.String(), id, "%s: a log line holds %q", when, id)
		}
	}
	check("after the erasure", dump(t))
	for _, args := range [][]string{{"verify"}, {"audit", "verify"}, {"replay", "verify"}} {
		cli(args...)
	}
	// The log itself, read through the store as every reader does, shows
	// the events without the data: the key is gone, not merely the rows.
	client := cli("replay", "stream", "client-"+reg.ClientID, "--json")
	assert.Contains(t, client, "client.erased")
	policy := cli("replay", "stream", "policy-"+policyID, "--json")
	assert.Contains(t, policy, "OGPO-E-1", "what is not personal stays readable")
	cli("rebuild", "--all")
	check("after a rebuild", dump(t))
}

// dumpSQLite is every value of every row of every table in the file.
func dumpSQLite(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	var out strings.Builder
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			require.NoError(t, rows.Scan(ptrs...))
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					out.Write(b)
				} else {
					fmt.Fprint(&out, v)
				}
				out.WriteByte('\t')
			}
			out.WriteByte('\n')
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	return out.String()
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// dumpPostgres is every row of every table in the database, as text.
func dumpPostgres(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
		WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotEmpty(t, tables)
	var out strings.Builder
	for _, table := range tables {
		rows, err := conn.Query(ctx, `SELECT t::text FROM `+table+` t`)
		require.NoError(t, err)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		for _, l := range lines {
			out.WriteString(l)
			out.WriteByte('\n')
		}
	}
	return out.String()
}
