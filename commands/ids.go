package commands

import (
	"encoding/binary"

	"github.com/google/uuid"
)

// eventNamespace is the UUIDv5 namespace of event IDs. Changing it would give
// a repeated command new event IDs, so it never changes.
var eventNamespace = uuid.MustParse("5b0f2a4e-9c1d-5e7a-8f3b-6d2c4a1e7b90")

// EventID is the ID of the index-th event (from 0) that a command writes:
// a UUIDv5 of the command ID and the index. The same command therefore always
// writes the same IDs, which is what makes a repeated append a no-op.
func EventID(commandID uuid.UUID, index int) uuid.UUID {
	var name [16 + 8]byte
	copy(name[:16], commandID[:])
	binary.BigEndian.PutUint64(name[16:], uint64(index))
	return uuid.NewSHA1(eventNamespace, name[:])
}
