package cabinet_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/notice"
)

// record puts a notice into c's inbox and waits until the inbox shows it.
func record(t *testing.T, k *cabinettest.Kit, c cabinettest.Client, n notice.RecordNotice) uuid.UUID {
	t.Helper()
	n.NoticeID = uuid.New()
	res, err := k.Deps.Notices.Record(t.Context(), uuid.New(), c.ID, n)
	waitFor(t, k, res, err)
	return n.NoticeID
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c, other := k.Client(t), k.Client(t)
	mine := session(k, c.Session.SessionToken)
	p := k.Policy(t, c, cabinettest.PolicyOptions{})

	expiring := record(t, k, c, notice.RecordNotice{Kind: notice.KindExpiringPolicy, Channels: []notice.Channel{notice.ChannelSMS, notice.ChannelInbox},
		Title: "Полис скоро закончится", Body: "Полис " + p.Number + " действует до конца месяца", PolicyID: p.ID})
	code := record(t, k, c, notice.RecordNotice{Kind: notice.KindAccessCode, Channels: []notice.Channel{notice.ChannelSMS}})
	theirs := record(t, k, other, notice.RecordNotice{Kind: notice.KindBonus, Channels: []notice.Channel{notice.ChannelInbox}, Title: "Бонусы", Body: "Начислено 10 баллов"})

	list := call[cabinet.ListNotificationsResponse](t, k, "ListNotifications", mine, &cabinet.ListNotificationsRequest{})
	assert.Equal(t, int64(2), list.Unread)
	require.Len(t, list.Notifications, 2)
	assert.Equal(t, code.String(), list.Notifications[0].NotificationID, "newest first")
	assert.Equal(t, notice.AccessCodeTitle, list.Notifications[0].Title)
	first := list.Notifications[1]
	assert.Equal(t, cabinet.Notification{NotificationID: expiring.String(), Kind: "expiring_policy", Title: "Полис скоро закончится",
		Body: "Полис " + p.Number + " действует до конца месяца", PolicyID: p.ID.String(), OccurredAt: first.OccurredAt}, first)
	assert.NotEmpty(t, first.OccurredAt)

	call[cabinet.MarkNotificationReadResponse](t, k, "MarkNotificationRead", mine, &cabinet.MarkNotificationReadRequest{NotificationID: expiring.String()})
	unread := call[cabinet.ListNotificationsResponse](t, k, "ListNotifications", mine, &cabinet.ListNotificationsRequest{UnreadOnly: true})
	assert.Equal(t, int64(1), unread.Unread, "read at once")
	require.Len(t, unread.Notifications, 1)
	assert.Equal(t, code.String(), unread.Notifications[0].NotificationID)
	all := call[cabinet.ListNotificationsResponse](t, k, "ListNotifications", mine, &cabinet.ListNotificationsRequest{})
	require.Len(t, all.Notifications, 2)
	assert.NotEmpty(t, all.Notifications[1].ReadAt)
	assert.Empty(t, all.Notifications[0].ReadAt)
	call[cabinet.MarkNotificationReadResponse](t, k, "MarkNotificationRead", mine, &cabinet.MarkNotificationReadRequest{NotificationID: expiring.String()})

	limited := call[cabinet.ListNotificationsResponse](t, k, "ListNotifications", mine, &cabinet.ListNotificationsRequest{Limit: 1})
	assert.Len(t, limited.Notifications, 1)
	assert.Equal(t, int64(1), limited.Unread, "the count covers the whole inbox")

	e := refused(t, k, "MarkNotificationRead", mine, &cabinet.MarkNotificationReadRequest{NotificationID: theirs.String()})
	wantError(t, e, cabinet.CodeNotFound, "notificationId")
	e = refused(t, k, "MarkNotificationRead", mine, &cabinet.MarkNotificationReadRequest{NotificationID: uuid.NewString()})
	wantError(t, e, cabinet.CodeNotFound, "notificationId")
	e = refused(t, k, "MarkNotificationRead", mine, &cabinet.MarkNotificationReadRequest{NotificationID: "1"})
	wantError(t, e, cabinet.CodeInvalidArgument, "notificationId")
	theirList := call[cabinet.ListNotificationsResponse](t, k, "ListNotifications", session(k, other.Session.SessionToken), &cabinet.ListNotificationsRequest{})
	assert.Equal(t, int64(1), theirList.Unread, "another client's notice stays unread")
}
