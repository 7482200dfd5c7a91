package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

// CallbackConfig tunes a Callback. Secret is required.
type CallbackConfig struct {
	// Secret is shared with the provider, who signs every report with it;
	// at least 16 bytes.
	Secret []byte
	// Timeout bounds the recording of one report; 0 means 10 s.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Validate reports every problem of the configuration at once.
func (c CallbackConfig) Validate() error {
	var errs []error
	if len(c.Secret) < 16 {
		errs = append(errs, errors.New("payments callback: Secret must have at least 16 bytes"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("payments callback: Timeout must not be negative"))
	}
	return errors.Join(errs...)
}

// Callback takes the provider's reports at CallbackPath (see the package
// documentation for the answers). A report is recorded as a PayInstallment
// command when it names an installment and as RecordPayment otherwise, with a
// command ID derived from the payment reference: a report delivered twice, or
// delivered again after kabinet answered 5xx, records the payment once. It is
// safe for concurrent use.
type Callback struct {
	policies *commands.Policies
	cfg      CallbackConfig
}

// NewCallback checks its arguments and returns a Callback.
func NewCallback(policies *commands.Policies, cfg CallbackConfig) (*Callback, error) {
	var errs []error
	if policies == nil {
		errs = append(errs, errors.New("payments callback: policies are required"))
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Secret = append([]byte(nil), cfg.Secret...)
	return &Callback{policies: policies, cfg: cfg}, nil
}

// maxReportBytes bounds a report's body.
const maxReportBytes = 64 << 10

// paymentNamespace is the UUIDv5 namespace of the command IDs of reported
// payments. Changing it would record a redelivered report again, so it never
// changes.
var paymentNamespace = uuid.MustParse("3f9a1c70-8e2b-5d46-a1f3-7c5e0b2d9e18")

// PaymentCommandID is the ID of the command a payment reference becomes.
func PaymentCommandID(paymentRef string) uuid.UUID {
	return uuid.NewSHA1(paymentNamespace, []byte(strings.TrimSpace(paymentRef)))
}

func (c *Callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(w, http.StatusMethodNotAllowed, "method_not_allowed")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReportBytes))
	if err != nil {
		answer(w, http.StatusBadRequest, "unreadable")
		return
	}
	if !verify(c.cfg.Secret, body, r.Header.Get(SignatureHeader)) {
		c.cfg.Logger.WarnContext(r.Context(), "payment report with a bad signature")
		answer(w, http.StatusUnauthorized, "bad_signature")
		return
	}
	var rep Report
	if err := json.Unmarshal(body, &rep); err != nil || strings.TrimSpace(rep.PaymentRef) == "" || rep.PolicyID == uuid.Nil {
		answer(w, http.StatusBadRequest, "invalid_report")
		return
	}
	if rep.Status != StatusPaid {
		answer(w, http.StatusOK, "ignored")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), c.cfg.Timeout)
	defer cancel()
	ctx = commands.WithMetadata(ctx, eventstore.Metadata{CorrelationID: "payment:" + rep.PaymentRef, Actor: "payments:callback"})
	err = c.record(ctx, rep)
	log := c.cfg.Logger.With("policy_id", rep.PolicyID.String(), "installment", rep.Installment)
	switch {
	case err == nil:
		answer(w, http.StatusOK, "recorded")
	case refusedPayment(err):
		log.WarnContext(ctx, "payment report refused", "error", err)
		answer(w, http.StatusUnprocessableEntity, "refused")
	default:
		log.ErrorContext(ctx, "record payment report", "error", err)
		answer(w, http.StatusServiceUnavailable, "try_again")
	}
}

// record runs the command of a paid report.
func (c *Callback) record(ctx context.Context, rep Report) error {
	id := PaymentCommandID(rep.PaymentRef)
	if rep.Installment == 0 {
		_, err := c.policies.RecordPayment(ctx, id, rep.PolicyID, policy.RecordPayment{
			PaymentRef: rep.PaymentRef, Amount: rep.Amount, PaidAt: rep.PaidAt})
		return err
	}
	s, err := c.policies.Load(ctx, rep.PolicyID)
	if err != nil {
		return err
	}
	if !s.Exists() {
		return fmt.Errorf("policy %s: %w", rep.PolicyID, policy.ErrPolicyNotFound)
	}
	_, err = c.policies.PayInstallment(ctx, id, s.Holder.ClientID, rep.PolicyID, policy.PayInstallment{
		Number: rep.Installment, PaymentRef: rep.PaymentRef, Amount: rep.Amount, PaidAt: rep.PaidAt})
	if errors.Is(err, policy.ErrDuplicatePayment) {
		// Recorded before under another command (KIAS's feed reporting the
		// same payment): done.
		return nil
	}
	return err
}

// refusedPayment reports whether err refuses a report for good; anything
// else is passing, and the provider is asked to deliver it again.
func refusedPayment(err error) bool {
	for _, r := range []error{
		policy.ErrPolicyNotFound, policy.ErrPolicyCancelled, policy.ErrInstallmentNotFound,
		policy.ErrInstallmentAlreadyPaid, policy.ErrInstallmentOutOfOrder, policy.ErrPaidByInstallments,
		policy.ErrAmountMismatch, policy.ErrOverpayment, policy.ErrInvalidPayment,
		eventstore.ErrDuplicateEvent, // the reference was recorded on another policy
	} {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}

func answer(w http.ResponseWriter, status int, result string) {
	writeJSON(w, status, map[string]string{"status": result})
}
