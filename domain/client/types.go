package client

// Source says how the client came to the cabinet.
type Source string

// The sources of a registration.
const (
	SourceKIAS     Source = "kias"     // found in the insurer's core system by IIN
	SourceESBD     Source = "esbd"     // found in the national insurance database
	SourcePurchase Source = "purchase" // registered automatically after buying a policy online
	SourceManual   Source = "manual"   // found nowhere; the client typed name and phone
)

func (s Source) valid() bool {
	switch s {
	case SourceKIAS, SourceESBD, SourcePurchase, SourceManual:
		return true
	}
	return false
}

// CodeKind tells how an access code hash was made and how it is verified.
type CodeKind string

// The kinds of access code.
const (
	// CodeOneTime is a code sent by SMS, hashed with HMAC-SHA256 (hex) and valid until it expires.
	CodeOneTime CodeKind = "one_time"
	// CodeChosen is a code the client chose, hashed with argon2id (PHC string), without expiry.
	CodeChosen CodeKind = "chosen"
)

// Purpose is what a consent to process personal data is for. The set is open;
// these are the purposes the cabinet asks for.
type Purpose string

// Purposes of consent.
const (
	PurposePersonalData Purpose = "personal_data" // processing needed to conclude and serve contracts
	PurposeThirdParties Purpose = "third_parties" // transfer to ESBD, KIAS and partners that serve the contract
	PurposeMarketing    Purpose = "marketing"     // offers and news
)

// RequiredByContract reports whether the insurer needs this consent to serve a
// contract, so that it cannot be withdrawn while one is in force. Unknown
// purposes count as required: refusing a withdrawal can be corrected by a
// person, losing the basis to process a live contract cannot.
func (p Purpose) RequiredByContract() bool { return p != PurposeMarketing }

// MaxPurposeLength bounds a purpose code.
const MaxPurposeLength = 64

// StandardScope is the data the insurer's consent form for p covers, as
// short codes; nil for a purpose the cabinet does not ask for.
func (p Purpose) StandardScope() []string {
	switch p {
	case PurposePersonalData:
		return []string{"iin", "name", "birth_date", "phone", "email", "address", "documents"}
	case PurposeThirdParties:
		return []string{"iin", "name", "birth_date", "phone", "documents", "vehicle"}
	case PurposeMarketing:
		return []string{"phone", "email"}
	}
	return nil
}

// ErasureReason says why an erasure waits.
type ErasureReason string

// Reasons to defer an erasure.
const (
	ErasureActivePolicy ErasureReason = "active_policy"
	ErasureOpenClaim    ErasureReason = "open_claim"
)
