package cabinet

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/projections/clientprofile"
	"github.com/kabinet/kabinet/projections/contracts"
)

// The statuses of an erasure on the wire.
const (
	erasureErased   = "erased"
	erasureDeferred = "deferred"
)

// RequestErasure erases the client's personal data at the client's request:
// at once, when no policy is in force and no claim is open, after which the
// session is over and the client can no longer log in; otherwise the request
// is recorded, answered as deferred with the reason, and completed by the
// sweep once nothing holds it back (FinishErasures). Asking again while it
// waits records nothing and answers as deferred again, or completes it if
// it no longer has to wait.
func (s *Service) RequestErasure(ctx context.Context, c Caller, _ *RequestErasureRequest) (*RequestErasureResponse, error) {
	status, reason, err := s.erase(ctx, c.ClientID, c.commandID("RequestErasure", 0))
	if err != nil {
		return nil, err
	}
	return &RequestErasureResponse{Status: status, Reason: string(reason)}, nil
}

// EraseClient is RequestErasure for a request made at the insurer's office,
// naming the client by IIN or client ID. A client already erased answers
// erased again.
func (s *Service) EraseClient(ctx context.Context, c Caller, req *EraseClientRequest) (*EraseClientResponse, error) {
	id, field, err := s.clientNamed(req)
	if err != nil {
		return nil, err
	}
	st, err := s.d.Clients.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	if !st.Exists() {
		return nil, &Error{Code: CodeNotFound, Field: field, Message: "no client is registered under it"}
	}
	out := &EraseClientResponse{ClientID: id.String(), Status: erasureErased}
	if st.Erased() {
		return out, nil
	}
	// One request per client: the same request sent twice is recorded once.
	status, reason, err := s.erase(ctx, id, naturalID("erase client", id.String()))
	if err != nil {
		return nil, err
	}
	out.Status, out.Reason = status, string(reason)
	return out, nil
}

// clientNamed reads the client an EraseClient request names, and the field
// that names it.
func (s *Service) clientNamed(req *EraseClientRequest) (uuid.UUID, string, error) {
	rawIIN, rawID := strings.TrimSpace(req.IIN), strings.TrimSpace(req.ClientID)
	switch {
	case rawIIN != "" && rawID != "":
		return uuid.Nil, "", invalid("clientId", "give iin or clientId, not both")
	case rawIIN != "":
		iin, err := parseIIN("iin", rawIIN)
		if err != nil {
			return uuid.Nil, "", err
		}
		return s.d.Clients.IDFor(iin), "iin", nil
	case rawID != "":
		id, err := parseID("clientId", rawID)
		return id, "clientId", err
	}
	return uuid.Nil, "", invalid("iin", "iin or clientId is required")
}

// erase records a request to erase the client's data and completes it
// unless a policy in force or an open claim holds it back; then it answers
// deferred and why.
func (s *Service) erase(ctx context.Context, clientID, requestID uuid.UUID) (string, client.ErasureReason, error) {
	recorded, res, err := s.d.Clients.RequestErasure(ctx, requestID, clientID)
	if err := s.settled(ctx, res, err); err != nil {
		return "", "", err
	}
	done, err := s.completeErasure(ctx, clientID)
	if err != nil {
		return "", "", err
	}
	if done {
		return erasureErased, "", nil
	}
	// What holds it back now, which after a policy ended may be a claim
	// rather than the reason recorded with the request.
	reason, err := s.erasureBlocker(ctx, clientID)
	if err != nil {
		return "", "", err
	}
	if reason == "" {
		reason = recorded
	}
	return erasureDeferred, reason, nil
}

// completeErasure destroys the client's data key and records the erasure,
// then deletes the copies of the client's scans and ends the client's
// sessions. done is false, without an error, while a policy in force or an
// open claim holds the erasure back. Whoever completes an erasure (the
// client, the insurer's office or the sweep, on any instance) runs the same
// command, so it is recorded once.
func (s *Service) completeErasure(ctx context.Context, clientID uuid.UUID) (done bool, err error) {
	res, err := s.d.Clients.CompleteErasure(ctx, naturalID("complete erasure", clientID.String()), clientID, s.destroyKey())
	switch {
	case errors.Is(err, client.ErrErasureBlocked):
		return false, nil
	case errors.Is(err, client.ErrErased):
		// Completed meanwhile under another command.
	case err != nil:
		return false, err
	}
	s.deleteScanCopies(ctx, clientID)
	if err := s.endSessions(ctx, clientID, ""); err != nil {
		return false, err
	}
	return true, s.settle(ctx, res)
}

// destroyKey is the erasure's key destruction, bounded like a partner call,
// or nil when payloads are not encrypted.
func (s *Service) destroyKey() func(context.Context, uuid.UUID) error {
	if s.d.Keys == nil {
		return nil
	}
	return func(ctx context.Context, clientID uuid.UUID) error {
		ctx, cancel := s.partner(ctx)
		defer cancel()
		return s.d.Keys.Destroy(ctx, clientID)
	}
}

// erasureBlocker names what holds an erasure back now, "" when nothing
// does; a policy in force is named first, as the client aggregate does.
func (s *Service) erasureBlocker(ctx context.Context, clientID uuid.UUID) (client.ErasureReason, error) {
	l := contracts.Lookup{Q: s.d.DB}
	if active, err := l.HasActivePolicy(ctx, clientID, s.cfg.Now()); err != nil || active {
		return client.ErasureActivePolicy, err
	}
	if open, err := l.HasOpenClaim(ctx, clientID); err != nil || open {
		return client.ErasureOpenClaim, err
	}
	return "", nil
}

// FinishErasures completes the erasures that wait, once nothing holds them
// back: policies end by the calendar, with no event to react to, so the
// sweep asks again every time it runs. An erasure still held back stays, and
// is no error; one that fails (the key store did not answer) is tried again
// at the next sweep, after the others were tried. It returns how many it
// completed.
func (s *Service) FinishErasures(ctx context.Context) (int, error) {
	ids, err := clientprofile.PendingErasures(ctx, s.d.DB)
	if err != nil {
		return 0, err
	}
	done := 0
	var failed []error
	for _, id := range ids {
		ok, err := s.completeErasure(ctx, id)
		if ctx.Err() != nil {
			return done, ctx.Err()
		}
		if err != nil {
			failed = append(failed, err)
			continue
		}
		if ok {
			done++
		}
	}
	if len(failed) > 0 {
		return done, fmt.Errorf("complete %d of %d pending erasures: %w", len(failed), len(ids), failed[0])
	}
	return done, nil
}
