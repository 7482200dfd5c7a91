package policy

import (
	"fmt"

	"github.com/kabinet/kabinet/domain/wire"
)

// SchemaVersion is the JSON shape of every policy event today.
const SchemaVersion = 1

// codec is the closed table of policy events and their wire names.
var codec = wire.New[Event](SchemaVersion, ErrUnknownEvent,
	wire.As[Event, Issued](TypeIssued),
	wire.As[Event, PaymentReceived](TypePaymentReceived),
	wire.As[Event, InstallmentPaid](TypeInstallmentPaid),
	wire.As[Event, Prolonged](TypeProlonged),
	wire.As[Event, Cancelled](TypeCancelled),
	wire.As[Event, DocumentAttached](TypeDocumentAttached),
	wire.As[Event, PaymentRefunded](TypePaymentRefunded),
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
