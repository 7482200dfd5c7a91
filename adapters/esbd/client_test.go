package esbd_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/esbd"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

func serve(t *testing.T, sim *esbd.Simulator, wrap func(http.Handler) http.Handler, login, password string) *esbd.Client {
	t.Helper()
	h := sim.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := esbd.NewClient(esbd.Config{BaseURL: srv.URL, Login: login, Password: password, Timeout: 2 * time.Second})
	require.NoError(t, err)
	return c
}

func TestClientFindsAPersonOverHTTP(t *testing.T) {
	sim := esbd.NewSimulator()
	sim.RequireBasicAuth("kabinet", "s3cret")
	withKBM := esbd.Person{IIN: cabinettest.NewIIN(), LastName: "Иванов", FirstName: "Пётр", MiddleName: "Сергеевич",
		Phone: kz.MustParsePhone("+77051112233"),
		KBM:   esbd.KBM{Class: "3", Coefficient: decimal.RequireFromString("0.90"), AsOf: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}
	bare := esbd.Person{IIN: cabinettest.NewIIN(), LastName: "Ким", FirstName: "Ольга"}
	sim.AddPerson(withKBM)
	sim.AddPerson(bare)
	c := serve(t, sim, nil, "kabinet", "s3cret")
	ctx := context.Background()

	got, found, err := c.FindPerson(ctx, withKBM.IIN)
	require.NoError(t, err)
	require.True(t, found)
	assert.True(t, withKBM.KBM.Coefficient.Equal(got.KBM.Coefficient))
	got.KBM.Coefficient = withKBM.KBM.Coefficient
	assert.Equal(t, withKBM, got)

	got, found, err = c.FindPerson(ctx, bare.IIN)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, bare, got, "no phone and no KBM stay zero")

	_, found, err = c.FindPerson(ctx, cabinettest.NewIIN())
	require.NoError(t, err)
	assert.False(t, found)
}

func TestClientWithWrongPasswordIsRefused(t *testing.T) {
	sim := esbd.NewSimulator()
	sim.RequireBasicAuth("kabinet", "s3cret")
	iin := cabinettest.NewIIN()
	c := serve(t, sim, nil, "kabinet", "wrong")

	_, _, err := c.FindPerson(context.Background(), iin)

	assert.Equal(t, http.StatusUnauthorized, partnerhttp.StatusOf(err))
	assert.NotContains(t, err.Error(), iin.String())
	assert.NotContains(t, err.Error(), "wrong")
}

func TestClientRetriesAnOverloadedESBD(t *testing.T) {
	sim := esbd.NewSimulator()
	p := esbd.Person{IIN: cabinettest.NewIIN(), LastName: "Ким", FirstName: "Ольга"}
	sim.AddPerson(p)
	var calls atomic.Int32
	c := serve(t, sim, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, "kabinet", "s3cret")

	got, found, err := c.FindPerson(context.Background(), p.IIN)

	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, p, got)
	assert.EqualValues(t, 2, calls.Load())
}

func TestConfigValidate(t *testing.T) {
	err := esbd.Config{MaxAttempts: -1}.Validate()
	require.Error(t, err)
	assert.ErrorContains(t, err, "BaseURL")
	assert.ErrorContains(t, err, "Login and Password")
	assert.ErrorContains(t, err, "MaxAttempts")
	assert.NoError(t, esbd.Config{BaseURL: "https://esbd.example.kz", Login: "l", Password: "p"}.Validate())
}
