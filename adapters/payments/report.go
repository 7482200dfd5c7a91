package payments

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
)

// CallbackPath is where kabinet takes the provider's reports.
const CallbackPath = "/payments/callback"

// SignatureHeader carries a report's signature (Sign).
const SignatureHeader = "X-Signature"

// StatusPaid is the status of a completed payment; reports with any other
// status record nothing.
const StatusPaid = "paid"

// Report is the provider's account of a payment, as it is POSTed to
// CallbackPath.
type Report struct {
	PaymentRef   string    `json:"payment_ref"` // the provider's reference, unique per payment
	Status       string    `json:"status"`
	PolicyID     uuid.UUID `json:"policy_id"`
	PolicyNumber string    `json:"policy_number,omitempty"`
	Installment  int       `json:"installment,omitempty"` // 0: the premium paid at once
	Amount       money.KZT `json:"amount"`
	PaidAt       time.Time `json:"paid_at,omitzero"`
}

// Sign is the signature of a report's body under the shared secret: "sha256="
// and the lower-case hex HMAC-SHA256.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// verify checks a signature header against the body in constant time.
func verify(secret, body []byte, header string) bool {
	got, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(sig, m.Sum(nil))
}

type linkRequestJSON struct {
	PolicyID     uuid.UUID `json:"policy_id"`
	PolicyNumber string    `json:"policy_number"`
	Installment  int       `json:"installment,omitempty"`
	Amount       money.KZT `json:"amount"`
}

type linkJSON struct {
	URL     string    `json:"url"`
	Expires time.Time `json:"expires_at"`
}
