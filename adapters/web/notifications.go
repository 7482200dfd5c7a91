package web

import (
	"net/http"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// notifications lists the client's notifications, newest first.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) {
	resp, err := call[cabinet.ListNotificationsResponse](h, r, "ListNotifications", &cabinet.ListNotificationsRequest{Limit: 100})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "notifications", view{Section: "notifications", Data: resp})
}

// markRead marks a notification read and goes back to the list.
func (h *Handler) markRead(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	if _, err := call[cabinet.MarkNotificationReadResponse](h, r, "MarkNotificationRead", &cabinet.MarkNotificationReadRequest{NotificationID: id}); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/notifications", "read")
}
