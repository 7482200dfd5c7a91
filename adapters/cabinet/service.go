// Package cabinet is the website API's operations, independent of protocol:
// the SOAP edge (adapters/soap) and the JSON edge (adapters/httpapi) decode a
// request, call Service.Invoke with the caller's credentials, and encode what
// it returns. Both protocols therefore offer the same operations with the same
// rules, and their documents (WSDL with XSD, OpenAPI) are derived from the same
// Go types (Describe).
//
// Authentication: every call carries an API key; its role (website or
// insurer) decides which operations it may call. Operations of a client carry
// a session token as well, opened by Login or ConfirmRegistration, and act on
// that client only: another client's policy or claim answers NOT_FOUND, as a
// policy that does not exist does.
//
// Read-your-writes: an operation that writes answers only after the read
// models show the write, so the website's next query already reflects it.
//
// Errors: operations return *Error with a stable Code and the request field at
// fault; domain refusals are mapped in one table (refusals.go). Anything else
// is CodeInternal, which the edge logs once and never explains to the caller.
//
// Access log: an answer that carries a client's personal data or scans adds
// a row to the access_log table before it is returned: when, whose data, the
// API key, the actor (the session's client, or the key), the operation, the
// names of the fields or the IDs of the scans it carried, and the request ID;
// never a value. The operations that record are GetPersonalData,
// UpdatePersonalData (its answer is the card as saved, IIN included),
// UploadDocumentScan, ListDocumentScans and GetDocumentScan; GetSettings and
// UpdateSettings when the settings hold an e-mail address; GetPolicyDocument
// when it answers with KIAS's print form, which shows IINs in full (as
// "printForm:<policy ID>"); StartRegistration when it shows the masked name
// or phone of the IIN's holder, under the client ID that IIN has or will
// have. Nothing else is recorded: session answers carry an ID and a token,
// consents name purposes and categories of data, not their values, and
// policies (kabinet's own rendering of the document included), claims, bonus
// points and notifications are the contract's own data, where people appear
// by name with their IINs masked. When the row cannot be written the
// operation fails (CodeInternal) and the data is not returned: a read that
// cannot be recorded is not served. AccessLog reads the log back.
//
// Consent: the client gives and withdraws consents with GiveConsent and
// WithdrawConsent (GetConsents lists them). A consent the insurer needs to
// serve a contract (personal data, transfer to third parties) cannot be
// withdrawn while a policy is in force or a claim is open
// (CodeConsentRequiredByContract). Sending personal data to KIAS
// (UpdatePersonalData, UploadDocumentScan) rests on the client's consent, and
// is refused with CodeConsentRequired once the consent on file for personal
// data or for the transfer to third parties is withdrawn or has expired.
//
// Scans: KIAS is the system of record for a client's scans, and kabinet keeps
// a copy of each scan uploaded through it (the scan_copies table), its file
// name and content each sealed with the client's data key (Deps.Keys), so that
// the client can list and download their scans while KIAS is out of reach.
// KIAS is asked first all the same: it holds scans that reached it by other
// ways, and it may have replaced or removed one; the copy answers only when
// the call to KIAS fails (NOT_FOUND from KIAS stays NOT_FOUND). A list from
// the copies shows only the scans uploaded through kabinet, and with no copy
// the answer is UNAVAILABLE, as before. The copy of a scan KIAS no longer
// lists, or no longer has, is dropped when that is seen. A copy that cannot
// be kept does not fail the upload, which KIAS has accepted: it is logged,
// and that scan is served from KIAS only.
//
// Erasure: RequestErasure (the client) and EraseClient (the insurer's office)
// erase a client's personal data by destroying their data key (Deps.Keys):
// the events stay and their hash chain still verifies, but the personal data
// in them, and the copies of their scans, can no longer be read; the copies'
// rows are deleted too (or by the next Sweep, when that delete failed). It
// is done at once when no policy is in force and no claim is open, and then
// the client's sessions end and the login is gone; otherwise it is recorded
// as deferred, and FinishErasures (run by RunSweeper) completes it once
// nothing holds it back.
package cabinet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/adapters/esbd"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections/policies"
)

// KIAS is what the cabinet needs of the insurer's core system.
type KIAS interface {
	FindClient(ctx context.Context, iin kz.IIN) (kias.Person, bool, error)
	HasPolicy(ctx context.Context, iin kz.IIN, number string) (bool, error)
	PersonalData(ctx context.Context, iin kz.IIN) (kias.PersonalData, error)
	SavePersonalData(ctx context.Context, iin kz.IIN, d kias.PersonalData) error
	SaveScan(ctx context.Context, iin kz.IIN, scan kias.Scan) (kias.Scan, error)
	Scans(ctx context.Context, iin kz.IIN) ([]kias.Scan, error)
	Scan(ctx context.Context, iin kz.IIN, id string) (kias.Scan, error)
	PrintForm(ctx context.Context, contractID string) ([]byte, bool, error)
}

// ESBD is what the cabinet needs of the national insurance database.
type ESBD interface {
	FindPerson(ctx context.Context, iin kz.IIN) (esbd.Person, bool, error)
}

// SMS sends text messages.
type SMS interface {
	Send(ctx context.Context, phone kz.Phone, text, idempotencyKey string) (string, error)
}

// Payments makes payment links.
type Payments interface {
	PaymentLink(ctx context.Context, req payments.LinkRequest) (payments.Link, error)
}

// Keyring holds the clients' data keys (internal/pii.Keyring). The cabinet
// seals its copies of a client's scans with the client's key, and destroys
// the key on erasure, after which nothing sealed with it opens again
// (crypto-shredding). Sealing or opening for a client whose key was
// destroyed fails with pii.ErrErased; destroying twice succeeds.
type Keyring interface {
	SealBlob(ctx context.Context, clientID uuid.UUID, ref string, content []byte) ([]byte, error)
	OpenBlob(ctx context.Context, clientID uuid.UUID, ref string, box []byte) ([]byte, error)
	Destroy(ctx context.Context, clientID uuid.UUID) error
}

// Waiter waits until the read models have applied the log up to a position.
type Waiter interface {
	WaitFor(ctx context.Context, pos eventstore.Position, names ...string) error
}

// Deps are the Service's collaborators; all are required but Keys.
type Deps struct {
	DB          sqldb.DB // read models and the API's own tables
	Projections Waiter
	Clients     *commands.Clients
	Policies    *commands.Policies
	Claims      *commands.Claims
	Bonuses     *commands.Bonuses
	Notices     *commands.Notices
	Codes       *commands.AccessCodes
	KIAS        KIAS
	ESBD        ESBD
	SMS         SMS
	Payments    Payments
	// RenderPolicy renders kabinet's own policy document when KIAS has no
	// print form (adapters/pdf.Policy).
	RenderPolicy func(d policies.Details, now time.Time) ([]byte, error)
	// Keys seals the copies of scans and destroys a client's data key on
	// erasure; nil when payloads are not encrypted, and then no copy of a
	// scan is kept.
	Keys Keyring
}

// Config tunes the Service. The zero value is usable.
type Config struct {
	SessionTTL      time.Duration // a session's life from login; 0 means 12 hours
	RegistrationTTL time.Duration // from StartRegistration to ConfirmRegistration; 0 means 30 minutes
	MaxCodeAttempts int           // wrong SMS codes before a registration is void; 0 means 5
	SMSPerPhone     int           // SMS per phone per hour; 0 means 5
	SMSPerCaller    int           // SMS per API key per hour; 0 means 10 000
	LoginsPerLogin  int           // login attempts per login per 15 minutes, counted before the client's own lock; 0 means 20
	PartnerTimeout  time.Duration // bound of every KIAS, ESBD, SMS and payment call, and of every call to Deps.Keys; 0 means 10 s
	WaitTimeout     time.Duration // how long a write waits for the read models; 0 means 10 s
	Now             func() time.Time
	Logger          *slog.Logger
}

func (c *Config) setDefaults() {
	if c.SessionTTL == 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.RegistrationTTL == 0 {
		c.RegistrationTTL = 30 * time.Minute
	}
	if c.MaxCodeAttempts == 0 {
		c.MaxCodeAttempts = 5
	}
	if c.SMSPerPhone == 0 {
		c.SMSPerPhone = 5
	}
	if c.SMSPerCaller == 0 {
		c.SMSPerCaller = 10000
	}
	if c.LoginsPerLogin == 0 {
		c.LoginsPerLogin = 20
	}
	if c.PartnerTimeout == 0 {
		c.PartnerTimeout = 10 * time.Second
	}
	if c.WaitTimeout == 0 {
		c.WaitTimeout = 10 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.SessionTTL < 0 || c.RegistrationTTL < 0 || c.PartnerTimeout < 0 || c.WaitTimeout < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	}
	if c.MaxCodeAttempts < 0 || c.SMSPerPhone < 0 || c.SMSPerCaller < 0 || c.LoginsPerLogin < 0 {
		errs = append(errs, errors.New("limits must not be negative"))
	}
	return errors.Join(errs...)
}

// Service carries out the operations. It is safe for concurrent use.
type Service struct {
	d   Deps
	cfg Config
}

// New checks deps and cfg and returns a Service.
func New(deps Deps, cfg Config) (*Service, error) {
	var errs []error
	for name, missing := range map[string]bool{
		"DB": deps.DB == nil, "Projections": deps.Projections == nil, "Clients": deps.Clients == nil,
		"Policies": deps.Policies == nil, "Claims": deps.Claims == nil, "Bonuses": deps.Bonuses == nil,
		"Notices": deps.Notices == nil, "Codes": deps.Codes == nil, "KIAS": deps.KIAS == nil, "ESBD": deps.ESBD == nil,
		"SMS": deps.SMS == nil, "Payments": deps.Payments == nil, "RenderPolicy": deps.RenderPolicy == nil,
	} {
		if missing {
			errs = append(errs, fmt.Errorf("cabinet: Deps.%s is required", name))
		}
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("cabinet: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &Service{d: deps, cfg: cfg}, nil
}

// Credentials are what a request carries to say who sends it.
type Credentials struct {
	APIKey         string // the X-API-Key header
	SessionToken   string // the bearer token, for ClientSession operations
	IdempotencyKey string // the Idempotency-Key header; the same key makes a retried write a no-op
	CorrelationID  string // the X-Request-ID header, or one the edge made up
}

// Caller is an authenticated caller.
type Caller struct {
	Name     string // the API key's name
	Role     Role
	ClientID uuid.UUID // set for ClientSession operations
	creds    Credentials
}

// Invoke authenticates the caller for op and runs it. The error, if any, is
// an *Error for every failure the caller may be told about; anything else is
// an internal error the edge logs and answers with CodeInternal.
func (s *Service) Invoke(ctx context.Context, op Operation, creds Credentials, req any) (any, error) {
	c, err := s.authenticate(ctx, op, creds)
	if err != nil {
		return nil, err
	}
	if err := refuseUnstorableText(req); err != nil {
		return nil, err
	}
	ctx = commands.WithMetadata(ctx, eventstore.Metadata{
		CorrelationID: creds.CorrelationID,
		Actor:         actor(c),
	})
	return op.call(ctx, s, c, req)
}

func actor(c Caller) string {
	if c.ClientID != uuid.Nil {
		return "client:" + c.ClientID.String()
	}
	return "api:" + c.Name
}

// commandID is the ID of the i-th command a request runs: derived from the
// caller's idempotency key when it sent one, so that a retried request
// writes nothing twice, and random otherwise.
func (c Caller) commandID(op string, i int) uuid.UUID {
	if c.creds.IdempotencyKey == "" {
		return uuid.New()
	}
	return uuid.NewSHA1(idempotencySpace, fmt.Appendf(nil, "%s\x00%s\x00%s\x00%d", c.Name, op, c.creds.IdempotencyKey, i))
}

var idempotencySpace = uuid.MustParse("6f1c3c1e-4f0e-4b8e-9a52-1b1f0a9a7c11")

// settle waits until the read models show a command's result, for at most
// WaitTimeout; past it the committed write is answered without them.
func (s *Service) settle(ctx context.Context, res commands.Result) error {
	if res.Position == (eventstore.Position{}) {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WaitTimeout)
	defer cancel()
	err := s.d.Projections.WaitFor(wctx, res.Position)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		// The write is committed: an error would invite a retry that, without
		// an idempotency key, writes it again. The answer may show the read
		// models as they were.
		s.cfg.Logger.WarnContext(ctx, "the read models did not show a committed write in time; answered without them",
			"wait", s.cfg.WaitTimeout, "position", res.Position.String())
		return nil
	}
	if err != nil {
		return fmt.Errorf("wait for read models: %w", err)
	}
	return nil
}

// settled is settle for a command that ran: its error, if any, or the wait
// for the read models to show its result.
func (s *Service) settled(ctx context.Context, res commands.Result, err error) error {
	if err != nil {
		return err
	}
	return s.settle(ctx, res)
}

// partner bounds a call to a partner system.
func (s *Service) partner(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.PartnerTimeout)
}

// unavailable reports a partner that failed, without its error text, which
// may carry personal data; the error itself is logged.
func (s *Service) unavailable(ctx context.Context, what string, err error) error {
	s.cfg.Logger.WarnContext(ctx, "partner call", "call", what, "error", err)
	return failure(CodeUnavailable, "%s is unavailable, try again later", what)
}
