package reactions

import (
	"fmt"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

// decodeAs reads an event with an aggregate's decoder and checks it is a T.
func decodeAs[T, E any](decode func(string, int, []byte) (E, error), e eventstore.RecordedEvent) (T, error) {
	var zero T
	ev, err := decode(e.Type, e.SchemaVersion, e.Data)
	if err != nil {
		return zero, fmt.Errorf("decode event %s: %w", e.ID, err)
	}
	t, ok := any(ev).(T)
	if !ok {
		return zero, fmt.Errorf("event %s: %s is not a %T", e.ID, e.Type, zero)
	}
	return t, nil
}

// decodePolicy reads a policy event of type T.
func decodePolicy[T policy.Event](e eventstore.RecordedEvent) (T, error) {
	return decodeAs[T](policy.DecodeEvent, e)
}

// decodeClaim reads a claim event of type T.
func decodeClaim[T claim.Event](e eventstore.RecordedEvent) (T, error) {
	return decodeAs[T](claim.DecodeEvent, e)
}

// decodeClient reads a client event of type T.
func decodeClient[T client.Event](e eventstore.RecordedEvent) (T, error) {
	return decodeAs[T](client.DecodeEvent, e)
}
