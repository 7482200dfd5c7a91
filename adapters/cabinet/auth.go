package cabinet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// Role is what an API key may do.
type Role string

// The roles.
const (
	RoleWebsite Role = "website" // the insurer's website: public and client operations
	RoleInsurer Role = "insurer" // the insurer's systems: IssuePolicy, RecordPayment, claims
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleWebsite || r == RoleInsurer }

// CreateAPIKey makes a new random key for a caller with a role, stores its
// hash and returns the key, which is shown this once. A name already in use
// gets a new key and its old one stops working.
func CreateAPIKey(ctx context.Context, db sqldb.DB, name string, role Role) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("api key: name is required")
	}
	if !role.Valid() {
		return "", fmt.Errorf("api key: role %q: want website or insurer", role)
	}
	key := "kb_" + randomToken()
	_, err := db.Exec(ctx, `
		INSERT INTO api_keys (key_hash, name, role) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET key_hash = EXCLUDED.key_hash, role = EXCLUDED.role,
			created_at = now(), revoked_at = NULL`, digest(key), name, string(role))
	if err != nil {
		return "", fmt.Errorf("store api key: %w", err)
	}
	return key, nil
}

// RevokeAPIKey stops a caller's key from working; false when there is none.
func RevokeAPIKey(ctx context.Context, db sqldb.DB, name string) (bool, error) {
	tag, err := db.Exec(ctx, `UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL`, name)
	if err != nil {
		return false, fmt.Errorf("revoke api key: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// randomToken is 32 random bytes in URL-safe base64.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// digest hashes a high-entropy secret (key or token) for storage: a fast
// hash is enough, since nobody can enumerate 256-bit secrets.
func digest(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

func (s *Service) authenticate(ctx context.Context, op Operation, creds Credentials) (Caller, error) {
	if creds.APIKey == "" {
		return Caller{}, failure(CodeAuthFailed, "the X-API-Key header is required")
	}
	var c Caller
	err := s.d.DB.QueryRow(ctx, `SELECT name, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
		digest(creds.APIKey)).Scan(&c.Name, &c.Role)
	if sqldb.IsNoRows(err) {
		return Caller{}, failure(CodeAuthFailed, "the API key is not valid")
	}
	if err != nil {
		return Caller{}, fmt.Errorf("check api key: %w", err)
	}
	c.creds = creds
	want := RoleWebsite
	if op.Access == InsurerSystem {
		want = RoleInsurer
	}
	if c.Role != want {
		return Caller{}, failure(CodeForbidden, "%s needs a key of the %s role", op.Name, want)
	}
	if op.Access != ClientSession {
		return c, nil
	}
	if creds.SessionToken == "" {
		return Caller{}, failure(CodeSessionRequired, "%s needs a session: send Authorization: Bearer <token> from Login", op.Name)
	}
	err = s.d.DB.QueryRow(ctx, `
		SELECT client_id FROM sessions
		WHERE token_hash = $1 AND caller = $2 AND ended_at IS NULL AND expires_at > $3`,
		digest(creds.SessionToken), c.Name, s.cfg.Now()).Scan(&c.ClientID)
	if sqldb.IsNoRows(err) {
		return Caller{}, failure(CodeSessionRequired, "the session is unknown, has expired or has ended; log in again")
	}
	if err != nil {
		return Caller{}, fmt.Errorf("check session: %w", err)
	}
	return c, nil
}

// openSession starts a session of clientID for the caller.
func (s *Service) openSession(ctx context.Context, c Caller, clientID uuid.UUID, mustChange bool) (Session, error) {
	token := randomToken()
	now := s.cfg.Now()
	expires := now.Add(s.cfg.SessionTTL)
	_, err := s.d.DB.Exec(ctx, `
		INSERT INTO sessions (token_hash, client_id, caller, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		digest(token), clientID, c.Name, now, expires)
	if err != nil {
		return Session{}, fmt.Errorf("open session: %w", err)
	}
	return Session{ClientID: clientID.String(), Token: token, ExpiresAt: dateTime(expires), MustChangeAccessCode: mustChange}, nil
}

// endSessions ends the session with the token, or every session of the
// client when token is empty (after the access code changed).
func (s *Service) endSessions(ctx context.Context, clientID uuid.UUID, exceptToken string) error {
	_, err := s.d.DB.Exec(ctx, `
		UPDATE sessions SET ended_at = $3
		WHERE client_id = $1 AND ended_at IS NULL AND token_hash <> $2`, clientID, digest(exceptToken), s.cfg.Now())
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// limit counts one more event under key in a fixed window and refuses with
// CodeRateLimited once max is passed. Counters live in the database, so every
// instance shares them.
func (s *Service) limit(ctx context.Context, key string, max int, window time.Duration) error {
	now := s.cfg.Now()
	var count int
	var start time.Time
	err := s.d.DB.QueryRow(ctx, `
		INSERT INTO rate_limits AS r (key, window_start, count) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			window_start = CASE WHEN r.window_start <= $3 THEN $2 ELSE r.window_start END,
			count        = CASE WHEN r.window_start <= $3 THEN 1 ELSE r.count + 1 END
		RETURNING count, window_start`, key, now, now.Add(-window)).Scan(&count, &start)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if count > max {
		wait := start.Add(window).Sub(now).Round(time.Second)
		if wait < time.Second {
			// The window may end in less than half a second; a refusal
			// still says to wait.
			wait = time.Second
		}
		return &Error{Code: CodeRateLimited, Message: "too many requests; try again later", RetryAfter: wait}
	}
	return nil
}

// limitKey names a counter without putting a login or phone in plain text
// into the database.
func limitKey(kind, value string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + value))
	return kind + ":" + base64.RawURLEncoding.EncodeToString(sum[:12])
}

func dateTime(t time.Time) DateTime {
	if t.IsZero() {
		return ""
	}
	return DateTime(t.Format(time.RFC3339))
}
