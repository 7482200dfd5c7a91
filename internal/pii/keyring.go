package pii

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// KeySize is the size of the master key and of every data key: AES-256.
const KeySize = 32

// ErrErased is returned when personal data is to be sealed for a client
// whose key was destroyed: nothing can be kept for them any more.
var ErrErased = errors.New("the client's personal data was erased")

// cacheFor is how long an unwrapped key is kept in memory. A key destroyed
// by another process is still used here for at most this long; a key
// destroyed by this one is forgotten at once.
const cacheFor = time.Minute

// cacheSize bounds the cache; a full cache starts again empty.
const cacheSize = 100_000

// Keyring keeps one data key per client in the client_keys table, wrapped
// by the master key. It is safe for concurrent use.
type Keyring struct {
	db     sqldb.DB
	master cipher.AEAD
	now    func() time.Time

	mu    sync.Mutex
	cache map[uuid.UUID]cached
}

type cached struct {
	key       *dataKey // nil once destroyed or before it is made
	destroyed bool
	at        time.Time
}

// dataKey is a client's unwrapped key. Its nonces are derived from what
// they seal (a synthetic IV, as in AES-GCM-SIV): sealing the same event
// twice gives the same bytes, so a retried append is recognised as the
// same event, and a nonce repeats only with the same plaintext.
type dataKey struct {
	aead     cipher.AEAD
	nonceKey []byte
}

func newDataKey(raw []byte) (*dataKey, error) {
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte("kabinet pii nonce"))
	return &dataKey{aead: aead, nonceKey: mac.Sum(nil)}, nil
}

// seal encrypts plain bound to ad, returning nonce ‖ ciphertext.
func (k *dataKey) seal(plain, ad []byte) []byte {
	mac := hmac.New(sha256.New, k.nonceKey)
	mac.Write(ad)
	mac.Write([]byte{0})
	mac.Write(plain)
	n := k.aead.NonceSize()
	nonce := mac.Sum(nil)[:n]
	return k.aead.Seal(slices.Clip(nonce), nonce, plain, ad)
}

func (k *dataKey) open(box, ad []byte) ([]byte, error) { return open(k.aead, box, ad) }

// NewKeyring returns the keyring over db's client_keys table, with the
// given 32-byte master key.
func NewKeyring(db sqldb.DB, masterKey []byte) (*Keyring, error) {
	if len(masterKey) != KeySize {
		return nil, fmt.Errorf("master key: want %d bytes, got %d", KeySize, len(masterKey))
	}
	master, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	return &Keyring{db: db, master: master, now: time.Now, cache: make(map[uuid.UUID]cached)}, nil
}

// Destroy destroys the client's data key, for good: what was sealed with it
// reads as erased from now on, and nothing more can be sealed for the
// client. Destroying a destroyed key, or the key of a client who never had
// one, succeeds.
func (k *Keyring) Destroy(ctx context.Context, clientID uuid.UUID) error {
	_, err := k.db.Exec(ctx, `INSERT INTO client_keys (client_id, wrapped, created_at, destroyed_at)
		VALUES ($1, NULL, $2, $2)
		ON CONFLICT (client_id) DO UPDATE SET wrapped = NULL,
			destroyed_at = COALESCE(client_keys.destroyed_at, excluded.destroyed_at)`,
		clientID, k.now())
	if err != nil {
		return fmt.Errorf("destroy data key of client %s: %w", clientID, err)
	}
	k.remember(clientID, cached{destroyed: true})
	if k.db.Dialect() == sqldb.SQLite {
		// The write-ahead log still holds the page with the wrapped key
		// until a checkpoint; truncate it now. Best effort: a reader in
		// the way leaves it to the next automatic checkpoint.
		_, _ = k.db.Exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return nil
}

// forSeal returns the client's key, creating it on first use, or ErrErased.
func (k *Keyring) forSeal(ctx context.Context, clientID uuid.UUID) (*dataKey, error) {
	// Sealing asks the table, not the cache, whether the key still
	// stands: another process may have destroyed it a moment ago.
	c, err := k.lookup(ctx, clientID, true)
	if err != nil {
		return nil, err
	}
	if c.destroyed {
		return nil, fmt.Errorf("seal for client %s: %w", clientID, ErrErased)
	}
	if c.key != nil {
		return c.key, nil
	}
	dk := make([]byte, KeySize)
	if _, err := rand.Read(dk); err != nil {
		return nil, fmt.Errorf("new data key: %w", err)
	}
	wrapped := seal(k.master, dk, clientID[:])
	// Two writers may create a key at once: the first insert wins and both
	// read the winner back.
	if _, err := k.db.Exec(ctx, `INSERT INTO client_keys (client_id, wrapped, created_at)
		VALUES ($1, $2, $3) ON CONFLICT (client_id) DO NOTHING`, clientID, wrapped, k.now()); err != nil {
		return nil, fmt.Errorf("store data key of client %s: %w", clientID, err)
	}
	if c, err = k.lookup(ctx, clientID, true); err != nil {
		return nil, err
	}
	if c.destroyed {
		return nil, fmt.Errorf("seal for client %s: %w", clientID, ErrErased)
	}
	return c.key, nil
}

// forOpen returns the client's key, or nil when it was destroyed or never
// made.
func (k *Keyring) forOpen(ctx context.Context, clientID uuid.UUID) (*dataKey, error) {
	c, err := k.lookup(ctx, clientID, false)
	if err == nil && c.key == nil && !c.destroyed {
		// Something was sealed with a key that is not in the table: the
		// keys do not belong with these events (a restore from another
		// backup?). Reading it as erased would lose it without a word.
		return nil, fmt.Errorf("no data key for client %s in client_keys", clientID)
	}
	return c.key, err
}

// Check unwraps one stored key, so that a master key other than the one
// the keys were made with is refused at start rather than at the first
// read: a lost key file replaced by a new one, or a mistyped variable.
func (k *Keyring) Check(ctx context.Context) error {
	var id uuid.UUID
	var wrapped []byte
	err := k.db.QueryRow(ctx, `SELECT client_id, wrapped FROM client_keys WHERE wrapped IS NOT NULL LIMIT 1`).Scan(&id, &wrapped)
	if sqldb.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the master key: %w", err)
	}
	if _, err := open(k.master, wrapped, id[:]); err != nil {
		return errors.New("the master key does not open the clients' data keys: set KABINET_MASTER_KEY, or restore KABINET_MASTER_KEY_FILE, to the key they were made with")
	}
	return nil
}

// lookup reads the client's key through the cache, or from the table when
// fresh (a key unwrapped before is not unwrapped again). A client without a
// key comes back with neither key nor destroyed, and is not cached.
func (k *Keyring) lookup(ctx context.Context, clientID uuid.UUID, fresh bool) (cached, error) {
	now := k.now()
	k.mu.Lock()
	c, ok := k.cache[clientID]
	k.mu.Unlock()
	if ok && (c.destroyed || (!fresh && now.Sub(c.at) < cacheFor)) {
		return c, nil
	}
	var wrapped []byte
	err := k.db.QueryRow(ctx, `SELECT wrapped FROM client_keys WHERE client_id = $1`, clientID).Scan(&wrapped)
	switch {
	case sqldb.IsNoRows(err):
		return cached{}, nil
	case err != nil:
		return cached{}, fmt.Errorf("read data key of client %s: %w", clientID, err)
	case wrapped == nil:
		c = cached{destroyed: true}
	case ok && c.key != nil:
		// Still there, and a wrapped key never changes but to NULL.
	default:
		dk, err := open(k.master, wrapped, clientID[:])
		if err != nil {
			return cached{}, fmt.Errorf("unwrap data key of client %s (is KABINET_MASTER_KEY the one it was made with?): %w", clientID, err)
		}
		key, err := newDataKey(dk)
		if err != nil {
			return cached{}, err
		}
		c = cached{key: key}
	}
	k.remember(clientID, c)
	return c, nil
}

// remember caches c, unless the key is known destroyed: a lookup that read
// the row just before Destroy committed must not bring the key back.
func (k *Keyring) remember(clientID uuid.UUID, c cached) {
	c.at = k.now()
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.cache) >= cacheSize {
		clear(k.cache)
	}
	if prev, ok := k.cache[clientID]; ok && prev.destroyed {
		return
	}
	k.cache[clientID] = c
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes key: %w", err)
	}
	return cipher.NewGCM(block)
}

// seal encrypts plain with a fresh random nonce and returns nonce ‖ ciphertext.
func seal(aead cipher.AEAD, plain, ad []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, ad)
}

// open reverses seal.
func open(aead cipher.AEAD, box, ad []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(box) < n+aead.Overhead() {
		return nil, errors.New("sealed data too short")
	}
	return aead.Open(nil, box[:n], box[n:], ad)
}

// SealBlob seals content, such as a scan, with the client's key, bound to
// ref (the blob's own name), creating the key on first use. It fails with
// ErrErased once the client's key was destroyed.
func (k *Keyring) SealBlob(ctx context.Context, clientID uuid.UUID, ref string, content []byte) ([]byte, error) {
	key, err := k.forSeal(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return seal(key.aead, content, blobAD(clientID, ref)), nil
}

// OpenBlob opens what SealBlob sealed. It fails with ErrErased once the
// client's key was destroyed: the content is gone for good.
func (k *Keyring) OpenBlob(ctx context.Context, clientID uuid.UUID, ref string, box []byte) ([]byte, error) {
	key, err := k.forOpen(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, fmt.Errorf("open blob of client %s: %w", clientID, ErrErased)
	}
	content, err := key.open(box, blobAD(clientID, ref))
	if err != nil {
		return nil, fmt.Errorf("open blob of client %s: %w", clientID, err)
	}
	return content, nil
}

func blobAD(clientID uuid.UUID, ref string) []byte {
	return append(append(clientID[:], "blob:"...), ref...)
}
