package policy

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
)

// Product is the kind of insurance; its string is part of the wire format.
type Product string

// The products sold through the cabinet.
const (
	ProductOGPOVTS  Product = "ogpo_vts" // compulsory motor third-party liability
	ProductKASKO    Product = "kasko"    // own damage
	ProductTravel   Product = "travel"
	ProductProperty Product = "property"
	ProductAccident Product = "accident"
)

// Valid reports whether p is a known product.
func (p Product) Valid() bool {
	switch p {
	case ProductOGPOVTS, ProductKASKO, ProductTravel, ProductProperty, ProductAccident:
		return true
	}
	return false
}

// Motor reports whether p insures a vehicle.
func (p Product) Motor() bool { return p == ProductOGPOVTS || p == ProductKASKO }

// PaymentMethod is how the premium is paid; its string is part of the wire format.
type PaymentMethod string

// The payment methods KIAS records.
const (
	PaymentCard         PaymentMethod = "card"
	PaymentKaspi        PaymentMethod = "kaspi"
	PaymentInstallments PaymentMethod = "installments"
	PaymentCash         PaymentMethod = "cash"
	PaymentBankTransfer PaymentMethod = "bank_transfer"
)

// Valid reports whether m is a known payment method.
func (m PaymentMethod) Valid() bool {
	switch m {
	case PaymentCard, PaymentKaspi, PaymentInstallments, PaymentCash, PaymentBankTransfer:
		return true
	}
	return false
}

// KBM is a driver's bonus-malus class as KIAS or ESBD reported it. It is data,
// never computed here: the national scale has changed and will change again.
type KBM struct {
	Class       string          `json:"class"` // e.g. "M", "0", "3"; an open set
	Coefficient decimal.Decimal `json:"coefficient"`
	AsOf        Date            `json:"as_of"`
}

// IsZero reports whether no KBM is known.
func (k KBM) IsZero() bool { return k.Class == "" && k.Coefficient.IsZero() && k.AsOf.IsZero() }

// Holder is the policyholder: the client who buys and pays.
type Holder struct {
	ClientID uuid.UUID `json:"client_id"`
	IIN      kz.IIN    `json:"iin"`
	Name     string    `json:"name,omitempty"`
	KBM      KBM       `json:"kbm,omitzero"`
}

// Person is an insured person or a permitted driver.
type Person struct {
	Name string `json:"name"`
	IIN  kz.IIN `json:"iin,omitzero"` // may be absent for an insured foreigner
	KBM  KBM    `json:"kbm,omitzero"`
}

// Vehicle is the insured vehicle of a motor policy.
type Vehicle struct {
	Make  string `json:"make"`
	Model string `json:"model"`
	Plate string `json:"plate,omitempty"` // absent before first registration
	VIN   string `json:"vin,omitempty"`   // absent on some old vehicles
	Year  int    `json:"year,omitempty"`
}

// IsZero reports whether no vehicle is given.
func (v Vehicle) IsZero() bool { return v == Vehicle{} }

// Installment is one planned part of the premium.
type Installment struct {
	Number int       `json:"number"` // 1, 2, 3… in due order
	DueOn  Date      `json:"due_on"`
	Amount money.KZT `json:"amount"`
}

// DocumentKind names a policy document, e.g. "policy_pdf"; an open set.
type DocumentKind string

// Common document kinds.
const (
	DocumentPolicyPDF DocumentKind = "policy_pdf"
	DocumentAddendum  DocumentKind = "addendum"
	DocumentReceipt   DocumentKind = "receipt"
)
