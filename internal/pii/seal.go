package pii

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/wire"
	"github.com/kabinet/kabinet/eventstore"
)

// sealedMember is the payload member that holds the sealed personal data.
// No event of kabinet has a member of that name.
const sealedMember = "personal"

// sealed is the stored form of an event's personal data: the owner names
// the key, box is nonce ‖ AES-256-GCM(data key, members as JSON) with the
// event's ID and type as additional data, so that a box moved to another
// event does not open.
type sealed struct {
	Owner uuid.UUID `json:"owner"`
	Box   []byte    `json:"box"`
}

// Sealer seals and opens the personal data of event payloads.
type Sealer struct {
	keys  *Keyring
	rules map[string]rule
}

type rule struct {
	owner   []string   // path to the owner's ID; nil for the stream's ID
	members [][]string // paths of the personal members
}

// NewSealer returns a sealer of the members the rules name.
func NewSealer(keys *Keyring, rules ...wire.Personal) *Sealer {
	s := &Sealer{keys: keys, rules: make(map[string]rule, len(rules))}
	for _, r := range rules {
		var x rule
		if r.Owner != "" {
			x.owner = strings.Split(r.Owner, ".")
		}
		for _, m := range r.Members {
			x.members = append(x.members, strings.Split(m, "."))
		}
		s.rules[r.Type] = x
	}
	return s
}

// Keys is the sealer's keyring.
func (s *Sealer) Keys() *Keyring { return s.keys }

// Seal replaces the personal members of e's payload by one sealed member.
// A payload without personal members is left as it is. Sealing for an
// erased client fails with ErrErased.
func (s *Sealer) Seal(ctx context.Context, stream string, e *eventstore.Event) error {
	r, ok := s.rules[e.Type]
	if !ok {
		return nil
	}
	obj, err := object(e.Data)
	if err != nil {
		return fmt.Errorf("seal %s: %w", e.Type, err)
	}
	if _, taken := obj[sealedMember]; taken {
		return fmt.Errorf("seal %s: the payload already has a member %q", e.Type, sealedMember)
	}
	owner, err := ownerOf(r, stream, obj)
	if err != nil {
		return fmt.Errorf("seal %s: %w", e.Type, err)
	}
	plain := make(map[string]json.RawMessage, len(r.members))
	for _, path := range r.members {
		if v, ok, err := take(obj, path); err != nil {
			return fmt.Errorf("seal %s: %w", e.Type, err)
		} else if ok {
			plain[strings.Join(path, ".")] = v
		}
	}
	if len(plain) == 0 {
		return nil
	}
	key, err := s.keys.forSeal(ctx, owner)
	if err != nil {
		return err
	}
	text, err := json.Marshal(plain)
	if err != nil {
		return fmt.Errorf("seal %s: %w", e.Type, err)
	}
	box, err := json.Marshal(sealed{Owner: owner, Box: key.seal(text, additional(e.ID, e.Type))})
	if err != nil {
		return fmt.Errorf("seal %s: %w", e.Type, err)
	}
	obj[sealedMember] = box
	if e.Data, err = json.Marshal(obj); err != nil {
		return fmt.Errorf("seal %s: %w", e.Type, err)
	}
	return nil
}

// Open puts the sealed personal data of e back in its payload. When the
// owner's key was destroyed the members stay absent, so that the event
// reads as it would had they never been given: the data is erased.
func (s *Sealer) Open(ctx context.Context, e *eventstore.RecordedEvent) error {
	if _, ok := s.rules[e.Type]; !ok || !bytes.Contains(e.Data, []byte(`"`+sealedMember+`"`)) {
		return nil
	}
	obj, err := object(e.Data)
	if err != nil {
		return fmt.Errorf("open %s of %s version %d: %w", e.Type, e.Stream, e.Version, err)
	}
	raw, ok := obj[sealedMember]
	if !ok {
		return nil
	}
	delete(obj, sealedMember)
	var box sealed
	if err := json.Unmarshal(raw, &box); err != nil {
		return fmt.Errorf("open %s of %s version %d: %w", e.Type, e.Stream, e.Version, err)
	}
	key, err := s.keys.forOpen(ctx, box.Owner)
	if err != nil {
		return err
	}
	if key != nil {
		text, err := key.open(box.Box, additional(e.ID, e.Type))
		if err != nil {
			return fmt.Errorf("open %s of %s version %d: %w", e.Type, e.Stream, e.Version, err)
		}
		var plain map[string]json.RawMessage
		if err := json.Unmarshal(text, &plain); err != nil {
			return fmt.Errorf("open %s of %s version %d: %w", e.Type, e.Stream, e.Version, err)
		}
		for path, v := range plain {
			if err := put(obj, strings.Split(path, "."), v); err != nil {
				return fmt.Errorf("open %s of %s version %d: %w", e.Type, e.Stream, e.Version, err)
			}
		}
	}
	if e.Data, err = json.Marshal(obj); err != nil {
		return fmt.Errorf("open %s of %s version %d: %w", e.Type, e.Stream, e.Version, err)
	}
	return nil
}

// OpenAll opens every event in place.
func (s *Sealer) OpenAll(ctx context.Context, events []eventstore.RecordedEvent) error {
	for i := range events {
		if err := s.Open(ctx, &events[i]); err != nil {
			return err
		}
	}
	return nil
}

func additional(id uuid.UUID, typ string) []byte {
	return append(id[:], typ...)
}

func object(data []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("payload is not a JSON object")
	}
	return obj, nil
}

// ownerOf finds the owning client's ID: in the payload, or in the stream's
// name "<aggregate>-<id>".
func ownerOf(r rule, stream string, obj map[string]json.RawMessage) (uuid.UUID, error) {
	if r.owner == nil {
		_, id, ok := strings.Cut(stream, "-")
		owner, err := uuid.Parse(id)
		if !ok || err != nil {
			return uuid.Nil, fmt.Errorf("stream %q does not name a client", stream)
		}
		return owner, nil
	}
	raw, ok, err := get(obj, r.owner)
	if err != nil || !ok {
		return uuid.Nil, fmt.Errorf("no owner at %s", strings.Join(r.owner, "."))
	}
	var owner uuid.UUID
	if err := json.Unmarshal(raw, &owner); err != nil || owner == uuid.Nil {
		return uuid.Nil, fmt.Errorf("owner at %s is not a client ID", strings.Join(r.owner, "."))
	}
	return owner, nil
}

// get reads the value at path.
func get(obj map[string]json.RawMessage, path []string) (json.RawMessage, bool, error) {
	v, ok := obj[path[0]]
	if !ok || len(path) == 1 {
		return v, ok, nil
	}
	inner, err := object(v)
	if err != nil {
		return nil, false, nil
	}
	return get(inner, path[1:])
}

// take removes the value at path and returns it. A path through a member
// that is null or not an object has nothing to take.
func take(obj map[string]json.RawMessage, path []string) (json.RawMessage, bool, error) {
	v, ok := obj[path[0]]
	if !ok {
		return nil, false, nil
	}
	if len(path) == 1 {
		delete(obj, path[0])
		return v, true, nil
	}
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil, false, nil
	}
	inner, err := object(v)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path[0], err)
	}
	got, ok, err := take(inner, path[1:])
	if err != nil || !ok {
		return got, ok, err
	}
	if obj[path[0]], err = json.Marshal(inner); err != nil {
		return nil, false, err
	}
	return got, true, nil
}

// put sets the value at path, making the objects on the way.
func put(obj map[string]json.RawMessage, path []string, v json.RawMessage) error {
	if len(path) == 1 {
		obj[path[0]] = v
		return nil
	}
	inner := map[string]json.RawMessage{}
	if raw, ok := obj[path[0]]; ok {
		var err error
		if inner, err = object(raw); err != nil {
			return fmt.Errorf("%s: %w", path[0], err)
		}
	}
	if err := put(inner, path[1:], v); err != nil {
		return err
	}
	raw, err := json.Marshal(inner)
	obj[path[0]] = raw
	return err
}
