package notice

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Decide checks a command against the inbox and returns the events it causes.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	now = now.UTC().Truncate(time.Microsecond)
	switch c := c.(type) {
	case RecordNotice:
		return record(s, c, now)
	case MarkRead:
		return markRead(s, c, now)
	default:
		return nil, fmt.Errorf("decide %T: %w", c, ErrUnknownCommand)
	}
}

func record(s State, c RecordNotice, now time.Time) ([]Event, error) {
	if c.NoticeID == uuid.Nil {
		return nil, fmt.Errorf("record notice: notice_id is required: %w", ErrInvalidCommand)
	}
	if !c.Kind.Valid() {
		return nil, fmt.Errorf("record notice: kind %q is not a notice kind: %w", c.Kind, ErrInvalidCommand)
	}
	channels, err := canonicalChannels(c.Channels)
	if err != nil {
		return nil, fmt.Errorf("record notice: %w", err)
	}
	title, body := strings.TrimSpace(c.Title), strings.TrimSpace(c.Body)
	if c.Kind == KindAccessCode {
		// The text of an access-code SMS holds the code; only the fixed text
		// may be recorded, and anything else is a caller's mistake to surface.
		if (title != "" && title != AccessCodeTitle) || (body != "" && body != AccessCodeBody) {
			return nil, fmt.Errorf("record notice: an access_code notice carries the fixed text only, never the message sent: %w", ErrInvalidCommand)
		}
		title, body = AccessCodeTitle, AccessCodeBody
	}
	if err := checkText("title", title, MaxTitleLength); err != nil {
		return nil, fmt.Errorf("record notice: %w", err)
	}
	if err := checkText("body", body, MaxBodyLength); err != nil {
		return nil, fmt.Errorf("record notice: %w", err)
	}
	if s.Has(c.NoticeID) {
		return nil, nil
	}
	return []Event{Recorded{
		NoticeID:   c.NoticeID,
		Kind:       c.Kind,
		Channels:   channels,
		Title:      title,
		Body:       body,
		PolicyID:   c.PolicyID,
		ClaimID:    c.ClaimID,
		OccurredAt: now,
	}}, nil
}

func markRead(s State, c MarkRead, now time.Time) ([]Event, error) {
	if c.NoticeID == uuid.Nil {
		return nil, fmt.Errorf("mark notice read: notice_id is required: %w", ErrInvalidCommand)
	}
	if !s.Has(c.NoticeID) {
		return nil, fmt.Errorf("mark notice %s read: %w", c.NoticeID, ErrNoticeNotFound)
	}
	if s.IsRead(c.NoticeID) {
		return nil, nil
	}
	return []Event{Read{NoticeID: c.NoticeID, ReadAt: now}}, nil
}

// canonicalChannels checks the channels and returns them in channelOrder.
func canonicalChannels(in []Channel) ([]Channel, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("channels: at least one of sms, email, inbox is required: %w", ErrInvalidCommand)
	}
	for i, ch := range in {
		if !slices.Contains(channelOrder[:], ch) {
			return nil, fmt.Errorf("channels: %q is not one of sms, email, inbox: %w", ch, ErrInvalidCommand)
		}
		if slices.Contains(in[:i], ch) {
			return nil, fmt.Errorf("channels: %q is listed twice: %w", ch, ErrInvalidCommand)
		}
	}
	out := make([]Channel, 0, len(in))
	for _, ch := range channelOrder {
		if slices.Contains(in, ch) {
			out = append(out, ch)
		}
	}
	return out, nil
}

// checkText refuses empty, oversized and non-text input. Control characters
// other than line breaks and tabs are refused: NUL cannot be stored in a
// PostgreSQL text column, and a read model that cannot store an event stops.
func checkText(field, s string, limit int) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is required: %w", field, ErrInvalidCommand)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s is not valid UTF-8: %w", field, ErrInvalidCommand)
	case utf8.RuneCountInString(s) > limit:
		return fmt.Errorf("%s takes at most %d characters: %w", field, limit, ErrInvalidCommand)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return fmt.Errorf("%s holds a control character: %w", field, ErrInvalidCommand)
		}
	}
	return nil
}
