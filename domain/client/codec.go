package client

import (
	"fmt"

	"github.com/kabinet/kabinet/domain/wire"
)

// SchemaVersion is the JSON shape of every client event today.
const SchemaVersion = 1

// codec is the closed table of client events and their wire names.
var codec = wire.New[Event](SchemaVersion, ErrUnknownEvent,
	wire.As[Event, Registered](TypeRegistered),
	wire.As[Event, AccessCodeIssued](TypeAccessCodeIssued),
	wire.As[Event, AccessCodeChanged](TypeAccessCodeChanged),
	wire.As[Event, LoginFailed](TypeLoginFailed),
	wire.As[Event, LoginSucceeded](TypeLoginSucceeded),
	wire.As[Event, LoginLocked](TypeLoginLocked),
	wire.As[Event, PhoneChanged](TypePhoneChanged),
	wire.As[Event, SettingsChanged](TypeSettingsChanged),
	wire.As[Event, ConsentGiven](TypeConsentGiven),
	wire.As[Event, ConsentWithdrawn](TypeConsentWithdrawn),
	wire.As[Event, ErasureRequested](TypeErasureRequested),
	wire.As[Event, ErasureDeferred](TypeErasureDeferred),
	wire.As[Event, Erased](TypeErased),
)

// EncodeEvent returns the wire name and JSON of an event.
func EncodeEvent(e Event) (string, []byte, error) {
	if e == nil {
		return "", nil, fmt.Errorf("encode a nil event: %w", ErrUnknownEvent)
	}
	return codec.Encode(e.eventType(), e)
}

// DecodeEvent reads an event stored under a wire name and schema version.
// Older schema versions are lifted by the store's upcasters before they get here.
func DecodeEvent(eventType string, schemaVersion int, data []byte) (Event, error) {
	return codec.Decode(eventType, schemaVersion, data)
}
