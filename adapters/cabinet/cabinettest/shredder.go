package cabinettest

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/internal/pii"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Shredder is the kit's keyring: a pii.Keyring over the kit's database
// with a fixed master key (MasterKey), which also records every client
// whose key it destroyed, and fails to destroy while a test says so.
type Shredder struct {
	keys *pii.Keyring

	mu        sync.Mutex
	destroyed []uuid.UUID
	fail      error
}

var _ cabinet.Keyring = (*Shredder)(nil)

// MasterKey is the master key of every kit's keyring.
func MasterKey() []byte { return bytes.Repeat([]byte{9}, pii.KeySize) }

func newShredder(db sqldb.DB) (*Shredder, error) {
	keys, err := pii.NewKeyring(db, MasterKey())
	if err != nil {
		return nil, err
	}
	return &Shredder{keys: keys}, nil
}

// SealBlob implements cabinet.Keyring.
func (s *Shredder) SealBlob(ctx context.Context, clientID uuid.UUID, ref string, content []byte) ([]byte, error) {
	return s.keys.SealBlob(ctx, clientID, ref, content)
}

// OpenBlob implements cabinet.Keyring.
func (s *Shredder) OpenBlob(ctx context.Context, clientID uuid.UUID, ref string, box []byte) ([]byte, error) {
	return s.keys.OpenBlob(ctx, clientID, ref, box)
}

// Destroy implements cabinet.Keyring.
func (s *Shredder) Destroy(ctx context.Context, clientID uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if err := s.keys.Destroy(ctx, clientID); err != nil {
		return err
	}
	s.destroyed = append(s.destroyed, clientID)
	return nil
}

// Destroyed lists the clients whose key was destroyed, in order, once per
// call that succeeded.
func (s *Shredder) Destroyed() []uuid.UUID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.destroyed)
}

// FailWith makes every Destroy fail with err until it is called with nil.
func (s *Shredder) FailWith(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}
