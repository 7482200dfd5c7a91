package cabinet

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// initialCodeTTL is how long the access code sent at registration stays
// valid if the client never chooses their own.
const initialCodeTTL = 30 * 24 * time.Hour

// registration is a row of the registrations table.
type registration struct {
	ID           uuid.UUID
	IIN          kz.IIN
	FoundIn      string
	KIASClientID string
	FirstName    string
	LastName     string
	PhoneOnFile  kz.Phone
	Phone        kz.Phone
	CodeHash     string
	CodeExpires  *time.Time
	Attempts     int
}

// StartRegistration looks the IIN up in KIAS, then in ESBD, and opens a
// registration that the next two operations complete.
func (s *Service) StartRegistration(ctx context.Context, c Caller, req *StartRegistrationRequest) (*StartRegistrationResponse, error) {
	iin, err := parseIIN("iin", req.IIN)
	if err != nil {
		return nil, err
	}
	// Each answer names a person: bound how fast anyone can ask.
	if err := s.limit(ctx, limitKey("start", iin.String()), 10, time.Hour); err != nil {
		return nil, err
	}
	if err := s.refuseRegistered(ctx, iin); err != nil {
		return nil, err
	}
	r := registration{ID: uuid.New(), IIN: iin, FoundIn: "none"}
	pctx, cancel := s.partner(ctx)
	defer cancel()
	if p, found, err := s.d.KIAS.FindClient(pctx, iin); err != nil {
		return nil, s.unavailable(ctx, "KIAS", err)
	} else if found {
		r.FoundIn, r.KIASClientID, r.FirstName, r.LastName, r.PhoneOnFile = "kias", p.ClientID, p.FirstName, p.LastName, p.Phone
	} else if p, found, err := s.d.ESBD.FindPerson(pctx, iin); err != nil {
		return nil, s.unavailable(ctx, "ESBD", err)
	} else if found {
		r.FoundIn, r.FirstName, r.LastName, r.PhoneOnFile = "esbd", p.FirstName, p.LastName, p.Phone
	}
	now := s.cfg.Now()
	_, err = s.d.DB.Exec(ctx, `
		INSERT INTO registrations (id, caller, iin, found_in, kias_client_id, first_name, last_name, phone_on_file, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, c.Name, iin.String(), r.FoundIn, r.KIASClientID, r.FirstName, r.LastName, phoneText(r.PhoneOnFile), now, now.Add(s.cfg.RegistrationTTL))
	if err != nil {
		return nil, fmt.Errorf("open registration: %w", err)
	}
	out := &StartRegistrationResponse{RegistrationID: r.ID.String(), FoundIn: r.FoundIn}
	if r.FoundIn != "none" {
		out.MaskedName = maskName(r.FirstName, r.LastName)
	}
	if !r.PhoneOnFile.IsZero() {
		out.MaskedPhone = r.PhoneOnFile.Masked()
	}
	if err := s.recordLookup(ctx, c, iin, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SendRegistrationCode sends the registration's code to the phone on file or
// to the phone the client typed. Replacing a phone on file needs one of the
// client's policy numbers, and the phone on file is told.
func (s *Service) SendRegistrationCode(ctx context.Context, c Caller, req *SendRegistrationCodeRequest) (*SendRegistrationCodeResponse, error) {
	r, err := s.loadRegistration(ctx, c, req.RegistrationID)
	if err != nil {
		return nil, err
	}
	var typed kz.Phone
	if strings.TrimSpace(req.Phone) != "" {
		if typed, err = parsePhone("phone", req.Phone); err != nil {
			return nil, err
		}
	}
	if r.FoundIn == "none" {
		if r.FirstName, err = requiredName("firstName", req.FirstName); err != nil {
			return nil, err
		}
		if r.LastName, err = requiredName("lastName", req.LastName); err != nil {
			return nil, err
		}
		if typed.IsZero() {
			return nil, invalid("phone", "is required when the IIN is found neither in KIAS nor in ESBD")
		}
	}
	target, replacing := r.PhoneOnFile, false
	switch {
	case !typed.IsZero() && !r.PhoneOnFile.IsZero() && typed != r.PhoneOnFile:
		if err := s.confirmPolicy(ctx, r.IIN, req.PolicyNumber); err != nil {
			return nil, err
		}
		target, replacing = typed, true
	case !typed.IsZero():
		target = typed
	case target.IsZero():
		return nil, invalid("phone", "is required: no phone is on file for this IIN")
	}
	if target == typed {
		if err := s.refusePhoneInUse(ctx, "phone", typed, uuid.Nil); err != nil {
			return nil, err
		}
	}
	if err := s.limitSMS(ctx, c, target); err != nil {
		return nil, err
	}
	code, err := s.d.Codes.NewOneTimeCode()
	if err != nil {
		return nil, err
	}
	expires := s.cfg.Now().Add(s.d.Codes.OneTimeTTL())
	_, err = s.d.DB.Exec(ctx, `
		UPDATE registrations SET phone = $2, first_name = $3, last_name = $4, code_hash = $5, code_expires = $6, attempts = 0
		WHERE id = $1`, r.ID, target.String(), r.FirstName, r.LastName, s.d.Codes.HashOneTime(code), expires)
	if err != nil {
		return nil, fmt.Errorf("store registration code: %w", err)
	}
	if err := s.sendSMS(ctx, target, fmt.Sprintf(smsRegistrationCode, code), ""); err != nil {
		return nil, err
	}
	if replacing {
		if err := s.sendSMS(ctx, r.PhoneOnFile, smsPhoneReplaced, ""); err != nil {
			return nil, err
		}
	}
	return &SendRegistrationCodeResponse{SentTo: target.Masked(), ExpiresAt: dateTime(expires)}, nil
}

// ConfirmRegistration checks the code, creates the cabinet with the code as
// its first access code and opens a session. A registration allows
// MaxCodeAttempts wrong codes; after that it is void and the client starts
// again, which the SMS limits slow down.
func (s *Service) ConfirmRegistration(ctx context.Context, c Caller, req *ConfirmRegistrationRequest) (*ConfirmRegistrationResponse, error) {
	if strings.TrimSpace(req.Code) == "" {
		return nil, invalid("code", "is required")
	}
	id, err := uuid.Parse(strings.TrimSpace(req.RegistrationID))
	if err != nil {
		return nil, invalid("registrationId", "must be the registrationId StartRegistration returned")
	}
	// Count the attempt before checking it, in one statement, so that
	// concurrent guesses cannot share an attempt.
	r, err := s.scanRegistration(s.d.DB.QueryRow(ctx, `
		UPDATE registrations SET attempts = attempts + 1
		WHERE id = $1 AND caller = $2 AND expires_at > $3
		RETURNING `+registrationColumns, id, c.Name, s.cfg.Now()))
	if err != nil {
		return nil, err
	}
	switch {
	case r.CodeHash == "" || r.CodeExpires == nil:
		return nil, failure(CodeConflict, "no code was sent for this registration; call SendRegistrationCode")
	case r.Attempts > s.cfg.MaxCodeAttempts:
		_, _ = s.d.DB.Exec(ctx, `DELETE FROM registrations WHERE id = $1`, r.ID)
		return nil, failure(CodeLocked, "too many wrong codes; start the registration again")
	case !r.CodeExpires.After(s.cfg.Now()):
		return nil, &Error{Code: CodeCodeExpired, Field: "code", Message: "the code has expired; send a new one"}
	case subtle.ConstantTimeCompare([]byte(s.d.Codes.HashOneTime(strings.TrimSpace(req.Code))), []byte(r.CodeHash)) != 1:
		return nil, &Error{Code: CodeInvalidCredentials, Field: "code", Message: "the code is wrong"}
	}
	source := map[string]client.Source{"kias": client.SourceKIAS, "esbd": client.SourceESBD, "none": client.SourceManual}[r.FoundIn]
	// Command IDs derive from the registration, so a retried confirmation
	// after a lost answer writes nothing twice.
	clientID, res, err := s.d.Clients.RegisterClient(ctx, uuid.NewSHA1(r.ID, []byte("register")), client.RegisterClient{
		IIN: r.IIN, FirstName: r.FirstName, LastName: r.LastName, Phone: r.Phone, Source: source, KIASClientID: r.KIASClientID,
	})
	if err != nil {
		return nil, err
	}
	if res, err = s.d.Clients.AdoptSentCode(ctx, uuid.NewSHA1(r.ID, []byte("code")), clientID, r.CodeHash, s.cfg.Now().Add(initialCodeTTL)); err != nil {
		return nil, err
	}
	if err := s.settle(ctx, res); err != nil {
		return nil, err
	}
	_, _ = s.d.DB.Exec(ctx, `DELETE FROM registrations WHERE id = $1`, r.ID)
	session, err := s.openSession(ctx, c, clientID, true)
	if err != nil {
		return nil, err
	}
	return &ConfirmRegistrationResponse{Session: session}, nil
}

// RegisterAfterPurchase creates the cabinet of a client who just bought a
// policy online, if they have none, and sends the access code by SMS. The
// policy must be known to KIAS or to kabinet as the client's.
func (s *Service) RegisterAfterPurchase(ctx context.Context, c Caller, req *RegisterAfterPurchaseRequest) (*RegisterAfterPurchaseResponse, error) {
	iin, err := parseIIN("iin", req.IIN)
	if err != nil {
		return nil, err
	}
	phone, err := parsePhone("phone", req.Phone)
	if err != nil {
		return nil, err
	}
	number := strings.TrimSpace(req.PolicyNumber)
	if number == "" {
		return nil, invalid("policyNumber", "is required")
	}
	if err := s.confirmPolicy(ctx, iin, number); err != nil {
		return nil, err
	}
	clientID := s.d.Clients.IDFor(iin)
	st, err := s.d.Clients.Load(ctx, clientID)
	if err != nil {
		return nil, err
	}
	cmdID := c.commandID("RegisterAfterPurchase", 0)
	if st.Exists() && c.creds.IdempotencyKey != "" {
		// A retry of the request that created this cabinet answers as that
		// request did. Its command ID finds the first run before the
		// client's state is looked at; the code is sent again under the same
		// key, in case the first send is what failed.
		_, res, err := s.d.Clients.RegisterClient(ctx, cmdID, client.RegisterClient{IIN: iin})
		switch {
		case err == nil && res.Duplicate:
			return s.sendPurchaseCode(ctx, cmdID, clientID, phone)
		case err != nil && !errors.Is(err, client.ErrAlreadyRegistered) && !errors.Is(err, client.ErrErased):
			return nil, err
		}
	}
	if st.Exists() {
		if !st.Erased() && !st.Phone.IsZero() {
			if err := s.sendSMS(ctx, st.Phone, fmt.Sprintf(smsPurchaseAdded, number), "purchase:"+number); err != nil {
				return nil, err
			}
		}
		return &RegisterAfterPurchaseResponse{ClientID: clientID.String(), Created: false}, nil
	}
	first, last := strings.TrimSpace(req.FirstName), strings.TrimSpace(req.LastName)
	kiasID := ""
	pctx, cancel := s.partner(ctx)
	defer cancel()
	if p, found, err := s.d.KIAS.FindClient(pctx, iin); err != nil {
		return nil, s.unavailable(ctx, "KIAS", err)
	} else if found {
		first, last, kiasID = p.FirstName, p.LastName, p.ClientID
	} else if p, found, err := s.d.ESBD.FindPerson(pctx, iin); err != nil {
		return nil, s.unavailable(ctx, "ESBD", err)
	} else if found {
		first, last = p.FirstName, p.LastName
	}
	if first, err = requiredName("firstName", first); err != nil {
		return nil, err
	}
	if last, err = requiredName("lastName", last); err != nil {
		return nil, err
	}
	if err := s.limitSMS(ctx, c, phone); err != nil {
		return nil, err
	}
	_, _, err = s.d.Clients.RegisterClient(ctx, cmdID, client.RegisterClient{
		IIN: iin, FirstName: first, LastName: last, Phone: phone, Source: client.SourcePurchase, KIASClientID: kiasID,
	})
	if errors.Is(err, client.ErrAlreadyRegistered) {
		// Another request registered the client a moment ago: it sends the code.
		return &RegisterAfterPurchaseResponse{ClientID: clientID.String(), Created: false}, nil
	}
	if err != nil {
		return nil, err
	}
	return s.sendPurchaseCode(ctx, cmdID, clientID, phone)
}

// sendPurchaseCode makes the access code of a cabinet created by a purchase
// and sends it. The code is derived from the registering command's ID under
// the server key, and its adoption and SMS are keyed by that ID too, so a
// retry of the request (or a concurrent run of it) adopts and sends the very
// same code: a first attempt whose SMS failed is completed, one whose SMS
// went out is not doubled (the gateway drops the repeated key), and a code
// the client has since changed is not brought back (the adoption is a
// duplicate).
func (s *Service) sendPurchaseCode(ctx context.Context, cmdID, clientID uuid.UUID, phone kz.Phone) (*RegisterAfterPurchaseResponse, error) {
	code := derivedCode(s.d.Codes.HashOneTime("purchase-code:" + cmdID.String()))
	res, err := s.d.Clients.AdoptSentCode(ctx, uuid.NewSHA1(cmdID, []byte("code")), clientID, s.d.Codes.HashOneTime(code), s.cfg.Now().Add(initialCodeTTL))
	if err != nil {
		return nil, err
	}
	if err := s.sendSMS(ctx, phone, fmt.Sprintf(smsPurchaseCode, code), "purchase-code:"+cmdID.String()); err != nil {
		return nil, err
	}
	if err := s.settle(ctx, res); err != nil {
		return nil, err
	}
	return &RegisterAfterPurchaseResponse{ClientID: clientID.String(), Created: true}, nil
}

// derivedCode turns a keyed hash (hex) into a six-digit code.
func derivedCode(hexHash string) string {
	var n uint64
	for i := 0; i < 16 && i < len(hexHash); i++ {
		n = n<<4 | uint64(strings.IndexByte("0123456789abcdef", hexHash[i]))
	}
	return fmt.Sprintf("%06d", n%1_000_000)
}

// recordLookup records an answer to StartRegistration that shows a person's
// name or phone, masked as they are: anyone with the website's key may type
// an IIN, so these are the reads of personal data most worth a record. The
// row is under the client ID the IIN has, or will have once registered.
func (s *Service) recordLookup(ctx context.Context, c Caller, iin kz.IIN, out *StartRegistrationResponse) error {
	var fields []string
	if out.MaskedName != "" {
		fields = append(fields, "maskedName")
	}
	if out.MaskedPhone != "" {
		fields = append(fields, "maskedPhone")
	}
	if len(fields) == 0 {
		return nil
	}
	return s.recordAccess(ctx, c, s.d.Clients.IDFor(iin), "StartRegistration", fields)
}

// confirmPolicy checks that number is a policy of the IIN's holder, in
// kabinet's own read model or else in KIAS, which is asked only when needed
// (and may be down).
func (s *Service) confirmPolicy(ctx context.Context, iin kz.IIN, number string) error {
	number = strings.TrimSpace(number)
	if number == "" {
		return &Error{Code: CodePhoneConfirmation, Field: "policyNumber", Message: "replacing the phone on file needs the number of one of your policies"}
	}
	ok, err := s.holdsPolicyNumber(ctx, s.d.Clients.IDFor(iin), number)
	if err != nil {
		return err
	}
	if !ok {
		pctx, cancel := s.partner(ctx)
		defer cancel()
		if ok, err = s.d.KIAS.HasPolicy(pctx, iin, number); err != nil {
			return s.unavailable(ctx, "KIAS", err)
		}
	}
	if !ok {
		return &Error{Code: CodePhoneConfirmation, Field: "policyNumber", Message: "is not a policy of this IIN"}
	}
	return nil
}

func (s *Service) limitSMS(ctx context.Context, c Caller, phone kz.Phone) error {
	if err := s.limit(ctx, limitKey("sms-phone", phone.String()), s.cfg.SMSPerPhone, time.Hour); err != nil {
		return err
	}
	return s.limit(ctx, limitKey("sms-caller", c.Name), s.cfg.SMSPerCaller, time.Hour)
}

// refuseRegistered answers ALREADY_REGISTERED for an IIN with a cabinet.
func (s *Service) refuseRegistered(ctx context.Context, iin kz.IIN) error {
	st, err := s.d.Clients.Load(ctx, s.d.Clients.IDFor(iin))
	if err != nil {
		return err
	}
	if st.Exists() {
		return &Error{Code: CodeAlreadyRegistered, Field: "iin", Message: "this IIN already has a cabinet; log in or reset the access code"}
	}
	return nil
}

const registrationColumns = `id, iin, found_in, kias_client_id, first_name, last_name, phone_on_file, phone, code_hash, code_expires, attempts`

func (s *Service) loadRegistration(ctx context.Context, c Caller, raw string) (registration, error) {
	id, err := uuid.Parse(strings.TrimSpace(raw))
	if err != nil {
		return registration{}, invalid("registrationId", "must be the registrationId StartRegistration returned")
	}
	return s.scanRegistration(s.d.DB.QueryRow(ctx, `SELECT `+registrationColumns+`
		FROM registrations WHERE id = $1 AND caller = $2 AND expires_at > $3`, id, c.Name, s.cfg.Now()))
}

func (s *Service) scanRegistration(row sqldb.Row) (registration, error) {
	var r registration
	var iin, phoneOnFile, phone string
	err := row.Scan(&r.ID, &iin, &r.FoundIn, &r.KIASClientID, &r.FirstName, &r.LastName, &phoneOnFile, &phone, &r.CodeHash, &r.CodeExpires, &r.Attempts)
	if sqldb.IsNoRows(err) {
		return r, &Error{Code: CodeNotFound, Field: "registrationId", Message: "no such registration, or it has expired; start again"}
	}
	if err != nil {
		return r, fmt.Errorf("load registration: %w", err)
	}
	r.IIN, err = kz.ParseIIN(iin)
	if err != nil {
		return r, fmt.Errorf("load registration: stored IIN: %w", err)
	}
	if phoneOnFile != "" {
		r.PhoneOnFile, _ = kz.ParsePhone(phoneOnFile)
	}
	if phone != "" {
		r.Phone, _ = kz.ParsePhone(phone)
	}
	return r, nil
}

func parseIIN(field, raw string) (kz.IIN, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return kz.IIN{}, invalid(field, "is required")
	}
	iin, err := kz.ParseIIN(raw)
	if err != nil {
		return kz.IIN{}, invalid(field, "%s", err.Error())
	}
	return iin, nil
}

func parsePhone(field, raw string) (kz.Phone, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return kz.Phone{}, invalid(field, "is required")
	}
	p, err := kz.ParsePhone(raw)
	if err != nil {
		return kz.Phone{}, invalid(field, "%s", err.Error())
	}
	return p, nil
}

func requiredName(field, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return "", invalid(field, "is required")
	case utf8.RuneCountInString(raw) > 100:
		return "", invalid(field, "must be at most 100 characters")
	}
	return raw, nil
}

func phoneText(p kz.Phone) string {
	if p.IsZero() {
		return ""
	}
	return p.String()
}

// maskName shows the first name and the initial of the last name.
func maskName(first, last string) string {
	r, _ := utf8.DecodeRuneInString(last)
	if last == "" {
		return first
	}
	return first + " " + string(r) + "."
}
