package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/png"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/notice"
)

func TestSettingsRoundTrip(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)

	var before cabinet.GetSettingsResponse
	a.ok(call{method: http.MethodGet, path: "/me/settings"}.as(c.Session), &before)

	next := before.Settings
	next.AutoProlongation = !next.AutoProlongation
	next.ClaimStatus = cabinet.Channels{SMS: true, Email: true}
	next.Bonus = cabinet.Channels{}
	next.Email = "aigerim@example.kz"
	var put cabinet.UpdateSettingsResponse
	a.ok(call{method: http.MethodPut, path: "/me/settings", body: cabinet.UpdateSettingsRequest{Settings: next}}.as(c.Session), &put)
	assert.Equal(t, next, put.Settings)

	var after cabinet.GetSettingsResponse
	a.ok(call{method: http.MethodGet, path: "/me/settings"}.as(c.Session), &after)
	assert.Equal(t, next, after.Settings, "the next read shows the write")

	// Settings left out are not reset to false: they are required.
	p := a.fails(call{method: http.MethodPut, path: "/me/settings", body: map[string]any{}, outside: true}.as(c.Session),
		http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "settings", p.Field)
	p = a.fails(call{method: http.MethodPut, path: "/me/settings",
		body: map[string]any{"settings": map[string]any{"expiringPolicy": map[string]bool{"sms": true}}}, outside: true}.as(c.Session),
		http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "settings.expiringPolicy.email", p.Field)
}

func TestPersonalDataAndScans(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)

	var data cabinet.GetPersonalDataResponse
	a.ok(call{method: http.MethodGet, path: "/me/personal-data"}.as(c.Session), &data)
	assert.Equal(t, c.FirstName, data.PersonalData.FirstName)
	assert.Equal(t, c.IIN.String(), data.PersonalData.IIN)

	edit := data.PersonalData
	edit.Email = "dana@example.kz"
	edit.Address = "Алматы, пр. Абая, 10"
	edit.BirthDate = "1990-01-15"
	var saved cabinet.UpdatePersonalDataResponse
	a.ok(call{method: http.MethodPut, path: "/me/personal-data", body: cabinet.UpdatePersonalDataRequest{PersonalData: edit}}.as(c.Session), &saved)
	a.ok(call{method: http.MethodGet, path: "/me/personal-data"}.as(c.Session), &data)
	assert.Equal(t, "dana@example.kz", data.PersonalData.Email)
	assert.Equal(t, cabinet.Date("1990-01-15"), data.PersonalData.BirthDate)

	var list cabinet.ListDocumentScansResponse
	r := a.ok(call{method: http.MethodGet, path: "/me/scans"}.as(c.Session), &list)
	assert.Contains(t, string(r.body), `"scans":[]`)

	content := pngBytes(t)
	var up cabinet.UploadDocumentScanResponse
	a.ok(call{method: http.MethodPost, path: "/me/scans", body: map[string]string{
		"kind": "driving_licence", "fileName": "права.png", "contentType": "image/png",
		"content": base64.StdEncoding.EncodeToString(content)}}.as(c.Session), &up)
	assert.EqualValues(t, len(content), up.Scan.Size)

	a.ok(call{method: http.MethodGet, path: "/me/scans"}.as(c.Session), &list)
	require.Len(t, list.Scans, 1)
	var got cabinet.GetDocumentScanResponse
	a.ok(call{method: http.MethodGet, path: "/me/scans/" + up.Scan.ScanID}.as(c.Session), &got)
	assert.Equal(t, content, []byte(got.Content))

	p := a.fails(call{method: http.MethodPost, path: "/me/scans", body: map[string]string{
		"kind": "passport", "fileName": "p.png", "contentType": "image/png", "content": "не base64"}, outside: true}.as(c.Session),
		http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "content", p.Field)
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))))
	return buf.Bytes()
}

func TestBonusSpendIsIdempotentPerOrder(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)
	p := a.kit.Policy(t, c, cabinettest.PolicyOptions{})
	res, err := a.kit.Deps.Bonuses.AccrueBonus(context.Background(), uuid.New(), c.ID, "PAY-B1", money.MustParse("36000.00"), p.ID)
	a.kit.Done(t, res, err)
	a.kit.Settle(t)

	var acc cabinet.GetBonusAccountResponse
	a.ok(call{method: http.MethodGet, path: "/bonus?limit=10"}.as(c.Session), &acc)
	require.Positive(t, acc.Balance)
	require.Len(t, acc.Entries, 1)
	start := acc.Balance

	spend := call{method: http.MethodPost, path: "/bonus/spend", body: map[string]any{"orderRef": "ORDER-1", "points": 10}}.as(c.Session)
	var first, second cabinet.SpendBonusResponse
	a.ok(spend, &first)
	a.ok(spend, &second)
	assert.EqualValues(t, 10, first.Spent)
	assert.Equal(t, first, second, "the same order spends once")
	assert.Equal(t, start-10, second.Balance)

	a.ok(call{method: http.MethodGet, path: "/bonus"}.as(c.Session), &acc)
	assert.Equal(t, start-10, acc.Balance)
	assert.Len(t, acc.Entries, 2)

	a.fails(call{method: http.MethodPost, path: "/bonus/spend",
		body: map[string]any{"orderRef": "ORDER-2", "points": start * 10}}.as(c.Session),
		http.StatusConflict, cabinet.CodeInsufficientBalance)
	pr := a.fails(call{method: http.MethodGet, path: "/bonus?limit=ten", outside: true}.as(c.Session),
		http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "limit", pr.Field)
}

func TestNotifications(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)
	id := uuid.New()
	res, err := a.kit.Deps.Notices.Record(context.Background(), uuid.New(), c.ID, notice.RecordNotice{
		NoticeID: id, Kind: notice.KindBonus, Channels: []notice.Channel{notice.ChannelInbox},
		Title: "Бонусы начислены", Body: "На ваш бонусный счёт начислено 360 баллов."})
	a.kit.Done(t, res, err)
	a.kit.Settle(t)

	var list cabinet.ListNotificationsResponse
	a.ok(call{method: http.MethodGet, path: "/notifications?unreadOnly=true&limit=20"}.as(c.Session), &list)
	assert.EqualValues(t, 1, list.Unread)
	require.Len(t, list.Notifications, 1)
	assert.Equal(t, id.String(), list.Notifications[0].NotificationID)
	assert.Empty(t, list.Notifications[0].ReadAt)

	a.ok(call{method: http.MethodPost, path: "/notifications/" + id.String() + "/read"}.as(c.Session), nil)
	a.ok(call{method: http.MethodGet, path: "/notifications?unreadOnly=true"}.as(c.Session), &list)
	assert.EqualValues(t, 0, list.Unread)
	assert.Empty(t, list.Notifications)
	a.ok(call{method: http.MethodGet, path: "/notifications"}.as(c.Session), &list)
	require.Len(t, list.Notifications, 1)
	assert.NotEmpty(t, list.Notifications[0].ReadAt)

	a.fails(call{method: http.MethodPost, path: "/notifications/" + uuid.NewString() + "/read"}.as(c.Session),
		http.StatusNotFound, cabinet.CodeNotFound)
}
