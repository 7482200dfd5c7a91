package policies

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

// Summary is a policy as the list shows it, placed on the day asked about.
type Summary struct {
	PolicyID      uuid.UUID
	Number        string
	Product       policy.Product
	Insurer       string
	StartsOn      policy.Date
	EndsOn        policy.Date // "действует до", inclusive
	LastDay       policy.Date // EndsOn, or the day before a cancellation takes effect if earlier
	Premium       money.KZT
	Paid          money.KZT
	PaymentMethod policy.PaymentMethod
	Vehicle       policy.Vehicle // zero unless a motor policy
	Standing      Standing
	Bucket        Bucket           // Expiring, Active or History
	Next          *NextInstallment // the installment to pay next; set exactly when in Installments
	RenewedBy     uuid.UUID        // the policy that renews this one; zero until prolonged
	CancelledOn   policy.Date      // first day without cover; zero unless cancelled
}

// NextInstallment is the first unpaid installment, the one "pay the next
// installment" pays.
type NextInstallment struct {
	Number  int
	DueOn   policy.Date
	Amount  money.KZT
	Overdue bool // due before today
}

// Details is everything the policy details screen shows.
type Details struct {
	Summary
	KIASContractID   string
	Holder           Person
	InsuredPersons   []Person
	Drivers          []Person
	UnlimitedDrivers bool
	Outstanding      money.KZT // premium not yet paid
	Installments     []Installment
	Payments         []Payment
	Documents        []Document
	RenewedFrom      uuid.UUID     // the policy this one renews; zero if none
	Cancellation     *Cancellation // nil unless cancelled
	IssuedAt         time.Time
}

// Person is the holder, an insured person or a driver.
type Person struct {
	Name      string
	MaskedIIN string // e.g. "9001******03"; empty when KIAS gave none
	KBM       *KBM   // nil when KIAS or ESBD gave none
}

// KBM is a bonus-malus class exactly as KIAS or ESBD reported it.
type KBM struct {
	Class       string
	Coefficient decimal.Decimal
	AsOf        policy.Date
}

// Installment is one part of the premium and whether it is paid.
type Installment struct {
	Number     int
	DueOn      policy.Date
	Amount     money.KZT
	Paid       bool
	PaymentRef string    // empty while unpaid
	PaidAt     time.Time // zero while unpaid
	Overdue    bool      // unpaid and due before today
}

// Payment is money received towards the premium.
type Payment struct {
	Ref    string
	Amount money.KZT
	PaidAt time.Time
}

// Document is a document of the policy on file in the blob store.
type Document struct {
	Kind       policy.DocumentKind
	BlobRef    string
	SHA256     string
	AttachedAt time.Time
}

// Cancellation says why and from when a policy no longer covers.
type Cancellation struct {
	Reason      string
	EffectiveOn policy.Date // first day without cover
	CancelledAt time.Time
}
