package kias

import (
	"errors"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
)

// ErrNotFound means KIAS has no client with the IIN, or no scan with the ID.
var ErrNotFound = errors.New("not found in KIAS")

// Person is a client as KIAS's counterparty card names them.
type Person struct {
	ClientID   string // KIAS's own ID of the counterparty card
	IIN        kz.IIN
	LastName   string
	FirstName  string
	MiddleName string
	Phone      kz.Phone // zero when KIAS has none
}

// PersonalData are the fields of the "my data" screen, kept in KIAS. Dates are
// "YYYY-MM-DD" or empty; everything is optional but the names.
type PersonalData struct {
	LastName           string
	FirstName          string
	MiddleName         string
	BirthDate          string
	Phone              kz.Phone
	AdditionalPhone    string
	Email              string
	Address            string
	DocumentType       string // "id_card" or "passport"
	DocumentNumber     string
	DocumentIssuedBy   string
	DocumentIssuedOn   string
	DrivingLicence     string
	DrivingLicenceDate string // first issue of a driving licence
}

// ScanKind names the document a scan shows.
type ScanKind string

// The scans the cabinet keeps for a quick purchase.
const (
	ScanIDCard              ScanKind = "id_card"
	ScanDrivingLicence      ScanKind = "driving_licence"
	ScanVehicleRegistration ScanKind = "vehicle_registration"
	ScanPassport            ScanKind = "passport"
)

// ScanKinds lists every kind, in the order the cabinet shows them.
var ScanKinds = []ScanKind{ScanIDCard, ScanDrivingLicence, ScanVehicleRegistration, ScanPassport}

// Valid reports whether k is one of ScanKinds.
func (k ScanKind) Valid() bool {
	for _, v := range ScanKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Scan is a scanned document. Content is empty in lists.
type Scan struct {
	ID          string
	Kind        ScanKind
	FileName    string
	ContentType string
	Size        int64
	SHA256      string // lower-case hex of Content
	UploadedAt  time.Time
	Content     []byte
}
