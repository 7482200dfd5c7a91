package bonus

import (
	"encoding/json"
	"fmt"
)

// SchemaVersion is the JSON shape of every bonus event today.
const SchemaVersion = 1

// EncodeEvent returns the wire name and JSON of an event.
func EncodeEvent(e Event) (string, []byte, error) {
	switch e.(type) {
	case Accrued, Spent, Reversed, Expired:
	default:
		return "", nil, fmt.Errorf("encode %T: %w", e, ErrUnknownEvent)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return "", nil, fmt.Errorf("encode %s: %w", e.eventType(), err)
	}
	return e.eventType(), data, nil
}

// DecodeEvent reads an event stored under a wire name and schema version.
// Older schema versions are lifted by the store's upcasters before they get here.
func DecodeEvent(eventType string, schemaVersion int, data []byte) (Event, error) {
	if schemaVersion != SchemaVersion {
		return nil, fmt.Errorf("decode %s: schema version %d, want %d: %w", eventType, schemaVersion, SchemaVersion, ErrUnknownEvent)
	}
	switch eventType {
	case TypeAccrued:
		return decode[Accrued](eventType, data)
	case TypeSpent:
		return decode[Spent](eventType, data)
	case TypeReversed:
		return decode[Reversed](eventType, data)
	case TypeExpired:
		return decode[Expired](eventType, data)
	default:
		return nil, fmt.Errorf("decode %q: %w", eventType, ErrUnknownEvent)
	}
}

func decode[E Event](eventType string, data []byte) (Event, error) {
	var e E
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return e, nil
}
