package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/projections/policies"
)

func TestAnErrorTheServiceDidNotClassifyIsLoggedOnceAndNotExplained(t *testing.T) {
	kit := cabinettest.New(t)
	w := seed(t, kit)
	deps := kit.Deps
	deps.RenderPolicy = func(policies.Details, time.Time) ([]byte, error) {
		return nil, errors.New("the renderer ran out of fonts")
	}
	svc, err := cabinet.New(deps, cabinet.Config{Now: kit.Now})
	require.NoError(t, err)
	s := serveService(t, kit, svc, Config{}, false)
	s.login(w.client)

	p := s.get("/policies/" + w.active.ID.String() + "/document")
	require.Equal(t, http.StatusInternalServerError, p.Status)
	assert.Contains(t, p.Body, "Произошла ошибка на нашей стороне.")
	assert.NotContains(t, p.Body, "fonts")

	var logged []map[string]any
	for line := range strings.Lines(s.logs.String()) {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry))
		if entry["msg"] == "page failed" {
			logged = append(logged, entry)
		}
	}
	require.Len(t, logged, 1)
	assert.Equal(t, p.Header.Get("X-Request-ID"), logged[0]["correlation_id"])
	assert.Equal(t, "GetPolicyDocument", logged[0]["operation"])
	assert.Contains(t, logged[0]["error"], "fonts")
}

func TestATooLargeUploadIsRefused(t *testing.T) {
	s := newSite(t)
	s.login(s.kit.Client(t))
	s.get("/profile")
	p := s.upload(t, "passport", "big.pdf", append([]byte("%PDF-"), make([]byte, cabinet.MaxRequestBytes)...))
	assert.Equal(t, http.StatusRequestEntityTooLarge, p.Status)
	assert.Contains(t, p.Body, "Файл или форма больше 1 МБ")
}
