package reactions

import (
	"fmt"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

// decodePolicy reads a policy event of type T.
func decodePolicy[T policy.Event](e eventstore.RecordedEvent) (T, error) {
	var zero T
	ev, err := policy.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	if err != nil {
		return zero, fmt.Errorf("decode event %s: %w", e.ID, err)
	}
	t, ok := ev.(T)
	if !ok {
		return zero, fmt.Errorf("event %s: %s is not a %T", e.ID, e.Type, zero)
	}
	return t, nil
}

// decodeClaim reads a claim event of type T.
func decodeClaim[T claim.Event](e eventstore.RecordedEvent) (T, error) {
	var zero T
	ev, err := claim.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	if err != nil {
		return zero, fmt.Errorf("decode event %s: %w", e.ID, err)
	}
	t, ok := ev.(T)
	if !ok {
		return zero, fmt.Errorf("event %s: %s is not a %T", e.ID, e.Type, zero)
	}
	return t, nil
}

// decodeClient reads a client event of type T.
func decodeClient[T client.Event](e eventstore.RecordedEvent) (T, error) {
	var zero T
	ev, err := client.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	if err != nil {
		return zero, fmt.Errorf("decode event %s: %w", e.ID, err)
	}
	t, ok := ev.(T)
	if !ok {
		return zero, fmt.Errorf("event %s: %s is not a %T", e.ID, e.Type, zero)
	}
	return t, nil
}
