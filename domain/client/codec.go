package client

import (
	"encoding/json"
	"fmt"
)

// SchemaVersion is the JSON shape of every client event today.
const SchemaVersion = 1

// EncodeEvent returns the wire name and JSON of an event.
func EncodeEvent(e Event) (string, []byte, error) {
	switch e.(type) {
	case Registered, AccessCodeIssued, AccessCodeChanged, LoginFailed, LoginSucceeded,
		LoginLocked, PhoneChanged, SettingsChanged, ConsentGiven, ConsentWithdrawn,
		ErasureRequested, ErasureDeferred, Erased:
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
	case TypeRegistered:
		return decode[Registered](eventType, data)
	case TypeAccessCodeIssued:
		return decode[AccessCodeIssued](eventType, data)
	case TypeAccessCodeChanged:
		return decode[AccessCodeChanged](eventType, data)
	case TypeLoginFailed:
		return decode[LoginFailed](eventType, data)
	case TypeLoginSucceeded:
		return decode[LoginSucceeded](eventType, data)
	case TypeLoginLocked:
		return decode[LoginLocked](eventType, data)
	case TypePhoneChanged:
		return decode[PhoneChanged](eventType, data)
	case TypeSettingsChanged:
		return decode[SettingsChanged](eventType, data)
	case TypeConsentGiven:
		return decode[ConsentGiven](eventType, data)
	case TypeConsentWithdrawn:
		return decode[ConsentWithdrawn](eventType, data)
	case TypeErasureRequested:
		return decode[ErasureRequested](eventType, data)
	case TypeErasureDeferred:
		return decode[ErasureDeferred](eventType, data)
	case TypeErased:
		return decode[Erased](eventType, data)
	default:
		return nil, fmt.Errorf("decode %q: %w", eventType, ErrUnknownEvent)
	}
}

// decode does not wrap the JSON error's text with the payload: a registration
// carries personal data, and errors end up in logs.
func decode[E Event](eventType string, data []byte) (Event, error) {
	var e E
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return e, nil
}
