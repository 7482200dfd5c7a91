package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
)

// auditAccess runs `kabinet audit access` with args and returns stdout and
// stderr apart.
func auditAccess(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := auditAccessCmd(ctx, args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// useKitDatabase points the operator commands at the kit's database and
// server secret.
func useKitDatabase(t *testing.T, k *cabinettest.Kit) {
	t.Helper()
	if k.Pool != nil {
		t.Setenv("KABINET_DATABASE_URL", k.Pool.Config().ConnString())
	} else {
		var path string
		require.NoError(t, k.DB.QueryRow(context.Background(), `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path))
		t.Setenv("KABINET_DATABASE_URL", "sqlite:"+path)
	}
	t.Setenv("KABINET_SECRET", hex.EncodeToString(cabinettest.Secret()))
}

type accessReport struct {
	ClientID uuid.UUID `json:"client_id"`
	Reads    []struct {
		Operation string    `json:"operation"`
		At        time.Time `json:"at"`
		Actor     string    `json:"actor"`
		Caller    string    `json:"caller"`
		Fields    []string  `json:"fields"`
		RequestID string    `json:"request_id"`
	} `json:"reads"`
}

func TestAuditAccess(t *testing.T) {
	for _, db := range []struct {
		name   string
		sqlite bool
	}{{"postgres", false}, {"sqlite", true}} {
		t.Run(db.name, func(t *testing.T) { testAuditAccess(t, db.sqlite) })
	}
}

func testAuditAccess(t *testing.T, sqlite bool) {
	k := cabinettest.New(t, cabinettest.Options{SQLite: sqlite})
	k.Settle(t)
	ctx := t.Context()
	c := k.Client(t)
	require.NoError(t, k.KIAS.SavePersonalData(ctx, c.IIN, kias.PersonalData{LastName: "Жумабекова", FirstName: "Динара",
		Phone: c.Phone, Email: "dinara.zh@example.kz", DocumentType: "id_card", DocumentNumber: "N9988776"}))
	mine := c.Session
	mine.CorrelationID = "req-audit-1"
	_, err := k.Call(ctx, "GetPersonalData", mine, &cabinet.GetPersonalDataRequest{})
	require.NoError(t, err)
	k.Advance(2 * time.Hour)
	cut := k.Now().Add(-time.Hour)
	mine.CorrelationID = "req-audit-2"
	_, err = k.Call(ctx, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{})
	require.NoError(t, err)
	useKitDatabase(t, k)

	out, errOut, err := auditAccess(t, c.IIN.String())
	require.NoError(t, err, errOut)
	assert.Empty(t, errOut, "the client has a profile")
	assert.Contains(t, out, "client "+c.ID.String()+": 2, newest first")
	assert.Contains(t, out, "GetPersonalData")
	assert.Contains(t, out, "by client:"+c.ID.String()+" (key website)")
	assert.Contains(t, out, "request req-audit-1")
	assert.Contains(t, out, "fields: lastName, firstName, iin, phone, email, documentType, documentNumber")
	assert.Less(t, bytes.Index([]byte(out), []byte("ListDocumentScans")), bytes.Index([]byte(out), []byte("GetPersonalData")), "newest first")
	for _, value := range []string{c.IIN.String(), c.Phone.String(), "Жумабекова", "Динара", "dinara.zh@example.kz", "N9988776"} {
		assert.NotContains(t, out+errOut, value, "the command printed a value of personal data")
	}

	byID, _, err := auditAccess(t, c.ID.String())
	require.NoError(t, err)
	assert.Equal(t, out, byID, "the IIN and the client ID name the same client")

	js, _, err := auditAccess(t, "--json", c.ID.String(), "--since", cut.Format(time.RFC3339))
	require.NoError(t, err)
	var report accessReport
	require.NoError(t, json.Unmarshal([]byte(js), &report), js)
	assert.Equal(t, c.ID, report.ClientID)
	require.Len(t, report.Reads, 1, "only the read after --since")
	assert.Equal(t, "ListDocumentScans", report.Reads[0].Operation)
	assert.Equal(t, "req-audit-2", report.Reads[0].RequestID)
	assert.Equal(t, "client:"+c.ID.String(), report.Reads[0].Actor)
	assert.Equal(t, []string{}, report.Reads[0].Fields)

	js, _, err = auditAccess(t, c.IIN.String(), "--json", "--since", time.Now().AddDate(0, 0, 10).Format(time.DateOnly))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(js), &report), js)
	assert.Empty(t, report.Reads)
}

func TestAuditAccessOfAnIINWithoutACabinet(t *testing.T) {
	k := cabinettest.New(t, cabinettest.Options{SQLite: true})
	k.Settle(t)
	iin := cabinettest.NewIIN()
	k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Гульнара", LastName: "Абенова", Phone: cabinettest.NewPhone()})
	_, err := k.Call(t.Context(), "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: iin.String()})
	require.NoError(t, err)
	useKitDatabase(t, k)

	out, errOut, err := auditAccess(t, iin.String())
	require.NoError(t, err)
	assert.Contains(t, errOut, "no client profile has the ID")
	assert.Contains(t, errOut, "server secret")
	assert.Contains(t, out, "StartRegistration")
	assert.Contains(t, out, "by api:website (key website)")
	assert.Contains(t, out, "fields: maskedName, maskedPhone")
	assert.NotContains(t, out+errOut, iin.String())
	assert.NotContains(t, out+errOut, "Гульнара")
}

func TestAuditAccessRefusals(t *testing.T) {
	k := cabinettest.New(t, cabinettest.Options{SQLite: true})
	useKitDatabase(t, k)
	id := uuid.NewString()
	for _, args := range [][]string{{}, {id, id}, {"--json"}, {id, "--since", "yesterday"}, {id, "--nonsense"}} {
		_, _, err := auditAccess(t, args...)
		assert.Error(t, err, "%q", args)
	}
	_, _, err := auditAccess(t, "900115300004")
	require.Error(t, err, "a wrong check digit")
	assert.NotContains(t, err.Error(), "900115300004", "the error repeats what may be an IIN")

	t.Setenv("KABINET_SECRET", "")
	missing := filepath.Join(t.TempDir(), "secret.key")
	t.Setenv("KABINET_SECRET_FILE", missing)
	_, _, err = auditAccess(t, cabinettest.NewIIN().String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "server secret")
	_, statErr := os.Stat(missing)
	assert.ErrorIs(t, statErr, os.ErrNotExist, "resolving an IIN must not make a new secret")

	out, _, err := auditAccess(t, id)
	require.NoError(t, err, "a client ID needs no secret")
	assert.Contains(t, out, ": 0, newest first")
}
