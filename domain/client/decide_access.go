package client

import (
	"fmt"
	"strings"
	"time"
)

func issueCode(c IssueAccessCode, now time.Time) ([]Event, error) {
	switch c.Kind {
	case CodeOneTime:
		if !isHMACHex(c.Hash) {
			return nil, fmt.Errorf("issue access code: one_time hash must be 64 lower-case hex digits of HMAC-SHA256: %w", ErrInvalidAccessCode)
		}
		if !now.Before(c.ExpiresAt) {
			return nil, fmt.Errorf("issue access code: one_time expires_at must be after now: %w", ErrInvalidAccessCode)
		}
	case CodeChosen:
		if !isArgon2idPHC(c.Hash) {
			return nil, fmt.Errorf("issue access code: chosen hash must be an argon2id PHC string: %w", ErrInvalidAccessCode)
		}
		if !c.ExpiresAt.IsZero() {
			return nil, fmt.Errorf("issue access code: a chosen code does not expire, expires_at must be empty: %w", ErrInvalidAccessCode)
		}
	default:
		return nil, fmt.Errorf("issue access code: kind %q is not one_time or chosen: %w", c.Kind, ErrInvalidAccessCode)
	}
	return []Event{AccessCodeIssued{Kind: c.Kind, Hash: c.Hash, ExpiresAt: c.ExpiresAt, IssuedAt: now}}, nil
}

func changeCode(s State, c ChangeAccessCode, now time.Time) ([]Event, error) {
	if s.Locked(now) {
		return nil, fmt.Errorf("change access code: until %s: %w", s.LockedUntil.UTC().Format(time.RFC3339), ErrLoginLocked)
	}
	if !c.CurrentVerified {
		return nil, fmt.Errorf("change access code: %w", ErrCurrentCodeNotVerified)
	}
	if !isArgon2idPHC(c.Hash) {
		return nil, fmt.Errorf("change access code: hash must be an argon2id PHC string: %w", ErrInvalidAccessCode)
	}
	return []Event{AccessCodeChanged{Kind: CodeChosen, Hash: c.Hash, ChangedAt: now}}, nil
}

func recordLogin(s State, c RecordLoginAttempt, now time.Time) ([]Event, error) {
	if c.MaxFailures < 0 || c.LockFor < 0 {
		return nil, fmt.Errorf("record login attempt: max_failures and lock_for must not be negative: %w", ErrInvalidCommand)
	}
	maxFailures, lockFor := c.MaxFailures, c.LockFor
	if maxFailures == 0 {
		maxFailures = DefaultMaxFailures
	}
	if lockFor == 0 {
		lockFor = DefaultLockFor
	}
	// A locked client's attempts are not counted: the lock is the answer, and
	// counting would let a guesser extend it forever.
	if s.Locked(now) {
		return nil, fmt.Errorf("record login attempt: until %s: %w", s.LockedUntil.UTC().Format(time.RFC3339), ErrLoginLocked)
	}
	if c.Success {
		if !s.Code.IsSet() {
			return nil, fmt.Errorf("record login attempt: %w", ErrNoAccessCode)
		}
		if s.Code.Expired(now) {
			return nil, fmt.Errorf("record login attempt: %s: %w", s.Code, ErrCodeExpired)
		}
		return []Event{LoginSucceeded{SucceededAt: now}}, nil
	}
	attempts := s.FailedAttempts + 1
	events := []Event{LoginFailed{Attempts: attempts, FailedAt: now}}
	if attempts >= maxFailures {
		events = append(events, LoginLocked{Until: now.Add(growingLock(lockFor, s.Locks)), LockedAt: now})
	}
	return events, nil
}

// MaxLockFor bounds a lock-out however often a client was locked.
const MaxLockFor = 24 * time.Hour

// growingLock is how long the next lock-out lasts after locks earlier ones
// since the last successful login: lockFor, then twice as long each time, at
// most MaxLockFor. A guesser gets 5 tries per lock; doubling makes the
// number of tries a day grow with the logarithm of time instead of linearly.
func growingLock(lockFor time.Duration, locks int) time.Duration {
	d := lockFor
	for range locks {
		if d >= MaxLockFor/2 {
			return MaxLockFor
		}
		d *= 2
	}
	return min(d, MaxLockFor)
}

func isHMACHex(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isArgon2idPHC checks the shape "$argon2id$v=19$m=…,t=…,p=…$salt$hash"; the
// handler that made it is the one that can verify it.
func isArgon2idPHC(h string) bool {
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false
	}
	if !strings.HasPrefix(parts[2], "v=") || !strings.HasPrefix(parts[3], "m=") {
		return false
	}
	return parts[4] != "" && parts[5] != ""
}
