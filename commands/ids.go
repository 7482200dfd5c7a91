package commands

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

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

// KeyedIDs derives stable aggregate IDs from natural keys (an IIN, a KIAS
// contract ID) with HMAC-SHA256 under a server key. The same key always maps
// to the same ID, so "one client per IIN" and "one policy per KIAS contract"
// are enforced by the event store's NoStream check, not by a lookup that could
// race; and because the hash is keyed, a stream name does not let anyone
// recover the IIN behind it by trying every possible number.
type KeyedIDs struct {
	key []byte
}

// NewKeyedIDs needs a key of at least 32 bytes.
func NewKeyedIDs(key []byte) (*KeyedIDs, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("keyed ids: key must be at least 32 bytes, got %d", len(key))
	}
	return &KeyedIDs{key: bytes.Clone(key)}, nil
}

// ID returns the ID of the natural key value within kind ("client-iin",
// "policy-kias", …). Different kinds never share IDs.
func (k *KeyedIDs) ID(kind, value string) uuid.UUID {
	mac := hmac.New(sha256.New, k.key)
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(value))
	var id uuid.UUID
	copy(id[:], mac.Sum(nil))
	id[6] = (id[6] & 0x0f) | 0x80 // version 8: custom, see RFC 9562
	id[8] = (id[8] & 0x3f) | 0x80 // RFC 9562 variant
	return id
}
