package cabinet

import (
	"context"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/projections/inbox"
)

// ListNotifications lists the client's notifications, newest first, with
// the number unread.
func (s *Service) ListNotifications(ctx context.Context, c Caller, req *ListNotificationsRequest) (*ListNotificationsResponse, error) {
	limit, err := pageLimit(req.Limit)
	if err != nil {
		return nil, err
	}
	list, unread, err := inbox.List(ctx, s.d.DB, c.ClientID, limit, req.UnreadOnly)
	if err != nil {
		return nil, err
	}
	out := &ListNotificationsResponse{Unread: int64(unread), Notifications: make([]Notification, len(list))}
	for i, n := range list {
		w := Notification{NotificationID: n.ID.String(), Kind: string(n.Kind), Title: n.Title, Body: n.Body,
			OccurredAt: dateTime(n.OccurredAt), ReadAt: dateTime(n.ReadAt)}
		if n.PolicyID != uuid.Nil {
			w.PolicyID = n.PolicyID.String()
		}
		if n.ClaimID != uuid.Nil {
			w.ClaimID = n.ClaimID.String()
		}
		out.Notifications[i] = w
	}
	return out, nil
}

// MarkNotificationRead marks one of the client's notifications as read.
func (s *Service) MarkNotificationRead(ctx context.Context, c Caller, req *MarkNotificationReadRequest) (*MarkNotificationReadResponse, error) {
	id, err := parseID("notificationId", req.NotificationID)
	if err != nil {
		return nil, err
	}
	res, err := s.d.Notices.MarkRead(ctx, c.commandID("MarkNotificationRead", 0), c.ClientID, id)
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	return &MarkNotificationReadResponse{}, nil
}
