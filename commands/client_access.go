package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
)

// codeMaxRechecks bounds how often a login or code change verifies again
// because the access code was replaced while it was being checked.
const codeMaxRechecks = 3

// errCodeReplaced stops a decision whose code check was made against an
// access code that is no longer the client's.
var errCodeReplaced = errors.New("access code was replaced during the check")

// IssueOneTimeCode gives the client a new six-digit code valid for the
// configured TTL and returns it, only so that the caller can send it by SMS;
// the stream keeps its HMAC. The code replaces the current one, which is how
// a forgotten code is reset.
//
// A repeated command ID returns ErrCodeAlreadyIssued and no code: the code
// stored the first time cannot be recovered from its hash, and a fresh one
// would not match it. Callers use a new command ID for every SMS.
func (c *Clients) IssueOneTimeCode(ctx context.Context, cmdID, clientID uuid.UUID) (string, Result, error) {
	code, err := c.codes.NewOneTimeCode()
	if err != nil {
		return "", Result{}, err
	}
	cmd := client.IssueAccessCode{
		Kind:      client.CodeOneTime,
		Hash:      c.codes.HashOneTime(code),
		ExpiresAt: c.runner.now().Add(c.codes.OneTimeTTL()),
	}
	res, err := c.execute(ctx, clientID, cmdID, cmd)
	if err != nil {
		return "", Result{}, err
	}
	if res.Duplicate {
		return "", res, fmt.Errorf("issue one-time code: %w", ErrCodeAlreadyIssued)
	}
	return code, res, nil
}

// AdoptSentCode makes a one-time code that was sent before the client had a
// cabinet (the SMS code of a registration) the client's access code until
// expiresAt. The caller passes the code's HashOneTime, having kept only that.
// A repeated command ID writes nothing, as the code is the same.
func (c *Clients) AdoptSentCode(ctx context.Context, cmdID, clientID uuid.UUID, hash string, expiresAt time.Time) (Result, error) {
	return c.execute(ctx, clientID, cmdID, client.IssueAccessCode{Kind: client.CodeOneTime, Hash: hash, ExpiresAt: expiresAt})
}

// Login checks an access code for a login, which is an IIN or a phone number
// (the latter through the ClientDirectory), records the attempt and returns
// the client's ID. An unknown or erased login and a wrong code both return
// ErrInvalidCredentials; an unknown login writes nothing. While the client is
// locked every attempt returns client.ErrLoginLocked without being counted,
// as does the failure that locks. A right code that has expired returns
// client.ErrCodeExpired.
//
// A success is recorded under an ID derived from cmdID, so a retried request
// with the right code gets the first result back (Duplicate). A failure is
// recorded under a fresh ID every time: deduplicating failures by the
// caller's ID would let one ID carry any number of uncounted guesses, while
// counting a retried wrong code twice only brings the lock one attempt
// closer.
//
// Unknown logins are answered without hashing. Hashing a dummy code to make
// them as slow as known ones would give anyone a way to spend the argon2
// budget without ever reaching a lock-out; the edge's rate limits stand
// against probing by timing.
func (c *Clients) Login(ctx context.Context, cmdID uuid.UUID, login, code string) (uuid.UUID, Result, error) {
	if cmdID == uuid.Nil {
		return uuid.Nil, Result{}, fmt.Errorf("login: %w", ErrNoCommandID)
	}
	id, found, err := c.clientResolveLogin(ctx, login)
	if err != nil {
		return uuid.Nil, Result{}, err
	}
	if !found {
		return uuid.Nil, Result{}, ErrInvalidCredentials
	}
	for check := 1; ; check++ {
		state, _, err := c.load(ctx, id)
		if err != nil {
			return uuid.Nil, Result{}, fmt.Errorf("login: %w", err)
		}
		if !state.Exists() || state.Erased() {
			return uuid.Nil, Result{}, ErrInvalidCredentials
		}
		if state.Locked(c.runner.now()) {
			return uuid.Nil, Result{}, codeLocked("login", state.LockedUntil)
		}
		ok, err := c.codes.Verify(ctx, state.Code, code)
		if err != nil {
			return uuid.Nil, Result{}, fmt.Errorf("login: %w", err)
		}
		if !ok {
			lockedUntil, err := c.codeRecordFailure(ctx, id, state.Code)
			switch {
			case errors.Is(err, errCodeReplaced) && check < codeMaxRechecks:
				continue
			case err != nil:
				return uuid.Nil, Result{}, codeRetryLater("login", err)
			case !lockedUntil.IsZero():
				return uuid.Nil, Result{}, codeLocked("login", lockedUntil)
			}
			return uuid.Nil, Result{}, ErrInvalidCredentials
		}
		runID := c.ids.ID("login-succeeded", cmdID.String())
		res, _, err := c.codeExecuteChecked(ctx, id, runID, state.Code, client.RecordLoginAttempt{Success: true})
		switch {
		case errors.Is(err, errCodeReplaced) && check < codeMaxRechecks:
			continue
		case err != nil:
			return uuid.Nil, Result{}, codeRetryLater("login", err)
		}
		return id, res, nil
	}
}

// ChangeAccessCode replaces the client's code with next, a code of their
// choice, once current is verified. next must pass ValidateChosen; it is
// checked first, so a weak code costs no attempt. A wrong current counts as a
// failed login and may lock the client (client.ErrLoginLocked); otherwise it
// returns client.ErrCurrentCodeNotVerified. A right current that has expired
// returns client.ErrCodeExpired. A repeated command ID returns the first
// result without checking again.
func (c *Clients) ChangeAccessCode(ctx context.Context, cmdID, clientID uuid.UUID, current, next string) (Result, error) {
	if cmdID == uuid.Nil {
		return Result{}, fmt.Errorf("change access code: %w", ErrNoCommandID)
	}
	if err := c.codes.ValidateChosen(next); err != nil {
		return Result{}, fmt.Errorf("change access code: %w", err)
	}
	stream := eventstore.StreamName(client.Aggregate, clientID)
	for check := 1; ; check++ {
		state, history, err := c.load(ctx, clientID)
		if err != nil {
			return Result{}, fmt.Errorf("change access code: %w", err)
		}
		// Answered before hashing: argon2id is too dear to spend on a retry.
		if res, ok := firstRun(stream, history, cmdID.String()); ok {
			return res, nil
		}
		switch {
		case state.Erased():
			return Result{}, fmt.Errorf("change access code: %w", client.ErrErased)
		case !state.Exists():
			return Result{}, fmt.Errorf("change access code: %w", client.ErrNotRegistered)
		}
		now := c.runner.now()
		if state.Locked(now) {
			return Result{}, codeLocked("change access code", state.LockedUntil)
		}
		ok, err := c.codes.Verify(ctx, state.Code, current)
		if err != nil {
			return Result{}, fmt.Errorf("change access code: %w", err)
		}
		if !ok {
			lockedUntil, err := c.codeRecordFailure(ctx, clientID, state.Code)
			switch {
			case errors.Is(err, errCodeReplaced) && check < codeMaxRechecks:
				continue
			case err != nil:
				return Result{}, codeRetryLater("change access code", err)
			case !lockedUntil.IsZero():
				return Result{}, codeLocked("change access code", lockedUntil)
			}
			return Result{}, fmt.Errorf("change access code: %w", client.ErrCurrentCodeNotVerified)
		}
		if state.Code.Expired(now) {
			return Result{}, fmt.Errorf("change access code: %s: %w", state.Code, client.ErrCodeExpired)
		}
		hash, err := c.codes.HashChosen(ctx, next)
		if err != nil {
			return Result{}, fmt.Errorf("change access code: %w", err)
		}
		res, _, err := c.codeExecuteChecked(ctx, clientID, cmdID, state.Code, client.ChangeAccessCode{Hash: hash, CurrentVerified: true})
		if errors.Is(err, errCodeReplaced) && check < codeMaxRechecks {
			continue
		}
		if err != nil {
			return Result{}, codeRetryLater("change access code", err)
		}
		return res, nil
	}
}

// clientResolveLogin maps a login to a client ID: an IIN by its keyed ID, a
// phone through the directory. A login that is neither is not found.
func (c *Clients) clientResolveLogin(ctx context.Context, login string) (uuid.UUID, bool, error) {
	if iin, err := kz.ParseIIN(login); err == nil {
		return c.IDFor(iin), true, nil
	}
	phone, err := kz.ParsePhone(login)
	if err != nil {
		return uuid.Nil, false, nil
	}
	if c.directory == nil {
		return uuid.Nil, false, errors.New("login: logins by phone need a client directory, none is wired")
	}
	id, found, err := c.directory.ClientByPhone(ctx, phone)
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("login: client directory: %w", err)
	}
	return id, found, nil
}

// codeRecordFailure counts a wrong code against the client under a fresh
// event identity and returns the end of the lock this failure caused, or zero.
func (c *Clients) codeRecordFailure(ctx context.Context, clientID uuid.UUID, checked client.AccessCode) (time.Time, error) {
	runID, err := uuid.NewRandom()
	if err != nil {
		return time.Time{}, fmt.Errorf("record failed attempt: %w", err)
	}
	_, events, err := c.codeExecuteChecked(ctx, clientID, runID, checked, client.RecordLoginAttempt{Success: false})
	if errors.Is(err, client.ErrLoginLocked) {
		// A concurrent guess locked the client between the load and this
		// decision: say until when, as a lock seen at the load does.
		if state, _, lerr := c.load(ctx, clientID); lerr == nil && !state.LockedUntil.IsZero() {
			return state.LockedUntil, nil
		}
	}
	if err != nil {
		return time.Time{}, err
	}
	for _, e := range events {
		if l, ok := e.(client.LoginLocked); ok {
			return l.Until, nil
		}
	}
	return time.Time{}, nil
}

// codeExecuteChecked runs cmd like Execute, but refuses with errCodeReplaced
// when the access code at decision time is not the one that was checked: a
// code changed in between would make the check's outcome meaningless. It
// also returns the events it wrote (none when the command had run before).
// Errors never name runID: the ID of a successful login is derived from the
// caller's command ID, so an error that named it would tell a guesser that
// their code was right.
func (c *Clients) codeExecuteChecked(ctx context.Context, clientID, runID uuid.UUID, checked client.AccessCode, cmd client.Command) (Result, []client.Event, error) {
	var decided []client.Event
	agg := clientAggregate()
	agg.Decide = func(s client.State, cmd client.Command, now time.Time) ([]client.Event, error) {
		if s.Code.Kind != checked.Kind || s.Code.Hash != checked.Hash {
			return nil, errCodeReplaced
		}
		events, err := client.Decide(s, cmd, now)
		decided = events
		return events, err
	}
	res, err := Execute(ctx, c.runner, agg, clientID, runID, cmd)
	if err != nil {
		return Result{}, nil, codeRedact(err, runID)
	}
	if res.Duplicate {
		return res, nil, nil
	}
	return res, decided, nil
}

func codeLocked(op string, until time.Time) error {
	return &LockedError{Op: op, Until: until}
}

// LockedError refuses a login or code check while the client is locked out;
// it wraps client.ErrLoginLocked and says until when, so that an API can tell
// the caller when to try again.
type LockedError struct {
	Op    string
	Until time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s: until %s: %s", e.Op, e.Until.UTC().Format(time.RFC3339), client.ErrLoginLocked)
}

// Unwrap makes errors.Is(err, client.ErrLoginLocked) hold.
func (e *LockedError) Unwrap() error { return client.ErrLoginLocked }

// codeRetryLater turns a code that kept changing under the check into a
// conflict the caller may retry; other errors pass unchanged.
func codeRetryLater(op string, err error) error {
	if errors.Is(err, errCodeReplaced) {
		return fmt.Errorf("%s: access code changed while it was checked, try again: %w", op, eventstore.ErrConcurrencyConflict)
	}
	return err
}

// codeRedacted is an error whose text has an attempt's ID removed; errors.Is
// and errors.As still see the original.
type codeRedacted struct {
	err error
	id  string
}

func codeRedact(err error, id uuid.UUID) error {
	if !strings.Contains(err.Error(), id.String()) {
		return err
	}
	return codeRedacted{err: err, id: id.String()}
}

func (e codeRedacted) Error() string { return strings.ReplaceAll(e.err.Error(), e.id, "<attempt>") }
func (e codeRedacted) Unwrap() error { return e.err }
