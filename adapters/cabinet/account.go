package cabinet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

// Login checks the login and access code and opens a session.
func (s *Service) Login(ctx context.Context, c Caller, req *LoginRequest) (*LoginResponse, error) {
	login, err := parseLogin(req.Login)
	if err != nil {
		return nil, err
	}
	if req.AccessCode == "" {
		return nil, invalid("accessCode", "is required")
	}
	if err := s.limit(ctx, limitKey("login", login), s.cfg.LoginsPerLogin, 15*time.Minute); err != nil {
		return nil, err
	}
	id, _, err := s.d.Clients.Login(ctx, c.commandID("Login", 0), login, req.AccessCode)
	if err != nil {
		return nil, s.lockedFor(err)
	}
	st, err := s.d.Clients.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	session, err := s.openSession(ctx, c, id, st.Code.Kind == client.CodeOneTime)
	if err != nil {
		return nil, err
	}
	return &LoginResponse{Session: session}, nil
}

// parseLogin accepts an IIN or a mobile phone and returns it normalised.
func parseLogin(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", invalid("login", "is required")
	}
	if iin, err := kz.ParseIIN(raw); err == nil {
		return iin.String(), nil
	}
	if p, err := kz.ParsePhone(raw); err == nil {
		return p.String(), nil
	}
	return "", invalid("login", "must be an IIN (12 digits) or a Kazakhstan mobile phone")
}

// lockedFor turns a lock-out into CodeLocked with the time to wait.
func (s *Service) lockedFor(err error) error {
	var le *commands.LockedError
	if errors.As(err, &le) {
		return &Error{Code: CodeLocked, Message: "too many wrong access codes; try again later",
			RetryAfter: max(le.Until.Sub(s.cfg.Now()), time.Second)}
	}
	return err
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, c Caller, _ *LogoutRequest) (*LogoutResponse, error) {
	_, err := s.d.DB.Exec(ctx, `UPDATE sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL`,
		digest(c.creds.SessionToken), s.cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("end session: %w", err)
	}
	return &LogoutResponse{}, nil
}

// ChangeAccessCode replaces the access code with one the client chose and
// ends the client's other sessions.
func (s *Service) ChangeAccessCode(ctx context.Context, c Caller, req *ChangeAccessCodeRequest) (*ChangeAccessCodeResponse, error) {
	if req.CurrentCode == "" {
		return nil, invalid("currentCode", "is required")
	}
	if req.NewCode == "" {
		return nil, invalid("newCode", "is required")
	}
	if err := s.d.Codes.ValidateChosen(req.NewCode); err != nil {
		// The rule's texts name the part broken, never the code.
		return nil, &Error{Code: CodeWeakAccessCode, Field: "newCode", Message: err.Error()}
	}
	if _, err := s.d.Clients.ChangeAccessCode(ctx, c.commandID("ChangeAccessCode", 0), c.ClientID, req.CurrentCode, req.NewCode); err != nil {
		return nil, s.lockedFor(err)
	}
	if err := s.endSessions(ctx, c.ClientID, c.creds.SessionToken); err != nil {
		return nil, err
	}
	return &ChangeAccessCodeResponse{}, nil
}

// ResetAccessCode sends a new one-time code to the phone on file. The
// answer is the same whether or not the login exists, and the limits count
// every login alike, so that nobody learns which logins exist.
func (s *Service) ResetAccessCode(ctx context.Context, c Caller, req *ResetAccessCodeRequest) (*ResetAccessCodeResponse, error) {
	login, err := parseLogin(req.Login)
	if err != nil {
		return nil, err
	}
	if err := s.limit(ctx, limitKey("reset", login), s.cfg.SMSPerPhone, time.Hour); err != nil {
		return nil, err
	}
	if err := s.limit(ctx, limitKey("sms-caller", c.Name), s.cfg.SMSPerCaller, time.Hour); err != nil {
		return nil, err
	}
	id, found, err := s.resolveLogin(ctx, login)
	if err != nil {
		return nil, err
	}
	if found {
		st, err := s.d.Clients.Load(ctx, id)
		if err != nil {
			return nil, err
		}
		if st.Exists() && !st.Erased() && !st.Phone.IsZero() && !st.Locked(s.cfg.Now()) {
			code, _, err := s.d.Clients.IssueOneTimeCode(ctx, uuid.New(), id)
			if err != nil {
				return nil, err
			}
			if err := s.sendSMS(ctx, st.Phone, fmt.Sprintf(smsResetCode, code), ""); err != nil {
				return nil, err
			}
		}
	}
	return &ResetAccessCodeResponse{Accepted: true}, nil
}

// resolveLogin finds the client of a normalised login.
func (s *Service) resolveLogin(ctx context.Context, login string) (uuid.UUID, bool, error) {
	if iin, err := kz.ParseIIN(login); err == nil {
		return s.d.Clients.IDFor(iin), true, nil
	}
	phone, err := kz.ParsePhone(login)
	if err != nil {
		return uuid.Nil, false, nil
	}
	return clientprofile.Directory{Q: s.d.DB}.ClientByPhone(ctx, phone)
}

// sendSMS sends a text through the gateway within the partner timeout.
func (s *Service) sendSMS(ctx context.Context, phone kz.Phone, text, key string) error {
	if key == "" {
		key = uuid.NewString()
	}
	pctx, cancel := s.partner(ctx)
	defer cancel()
	if _, err := s.d.SMS.Send(pctx, phone, text, key); err != nil {
		return s.unavailable(ctx, "the SMS gateway", err)
	}
	return nil
}
