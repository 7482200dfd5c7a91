package kias

import (
	"encoding/json"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
)

// The JSON shapes of the HTTP API (see the package documentation), shared by
// Client and Simulator.Handler.

type personJSON struct {
	ClientID   string `json:"client_id"`
	IIN        string `json:"iin"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

func toPersonJSON(p Person) personJSON {
	return personJSON{ClientID: p.ClientID, IIN: p.IIN.String(), LastName: p.LastName, FirstName: p.FirstName,
		MiddleName: p.MiddleName, Phone: p.Phone.String()}
}

func (p personJSON) person(iin kz.IIN) Person {
	return Person{ClientID: p.ClientID, IIN: iin, LastName: p.LastName, FirstName: p.FirstName,
		MiddleName: p.MiddleName, Phone: lenientPhone(p.Phone)}
}

// lenientPhone reads a phone KIAS holds; one kabinet cannot read counts as
// none rather than making the whole card unreadable.
func lenientPhone(s string) kz.Phone {
	p, err := kz.ParsePhone(s)
	if err != nil {
		return kz.Phone{}
	}
	return p
}

type personalDataJSON struct {
	LastName           string `json:"last_name"`
	FirstName          string `json:"first_name"`
	MiddleName         string `json:"middle_name,omitempty"`
	BirthDate          string `json:"birth_date,omitempty"`
	Phone              string `json:"phone,omitempty"`
	AdditionalPhone    string `json:"additional_phone,omitempty"`
	Email              string `json:"email,omitempty"`
	Address            string `json:"address,omitempty"`
	DocumentType       string `json:"document_type,omitempty"`
	DocumentNumber     string `json:"document_number,omitempty"`
	DocumentIssuedBy   string `json:"document_issued_by,omitempty"`
	DocumentIssuedOn   string `json:"document_issued_on,omitempty"`
	DrivingLicence     string `json:"driving_licence,omitempty"`
	DrivingLicenceDate string `json:"driving_licence_date,omitempty"`
}

func toPersonalDataJSON(d PersonalData) personalDataJSON {
	return personalDataJSON{
		LastName: d.LastName, FirstName: d.FirstName, MiddleName: d.MiddleName, BirthDate: d.BirthDate,
		Phone: d.Phone.String(), AdditionalPhone: d.AdditionalPhone, Email: d.Email, Address: d.Address,
		DocumentType: d.DocumentType, DocumentNumber: d.DocumentNumber, DocumentIssuedBy: d.DocumentIssuedBy,
		DocumentIssuedOn: d.DocumentIssuedOn, DrivingLicence: d.DrivingLicence, DrivingLicenceDate: d.DrivingLicenceDate,
	}
}

func (d personalDataJSON) personalData() PersonalData {
	return PersonalData{
		LastName: d.LastName, FirstName: d.FirstName, MiddleName: d.MiddleName, BirthDate: d.BirthDate,
		Phone: lenientPhone(d.Phone), AdditionalPhone: d.AdditionalPhone, Email: d.Email, Address: d.Address,
		DocumentType: d.DocumentType, DocumentNumber: d.DocumentNumber, DocumentIssuedBy: d.DocumentIssuedBy,
		DocumentIssuedOn: d.DocumentIssuedOn, DrivingLicence: d.DrivingLicence, DrivingLicenceDate: d.DrivingLicenceDate,
	}
}

type scanJSON struct {
	ID          string    `json:"id,omitempty"`
	Kind        string    `json:"kind"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	UploadedAt  time.Time `json:"uploaded_at,omitzero"`
	Content     []byte    `json:"content,omitempty"`
}

func toScanJSON(s Scan) scanJSON {
	return scanJSON{ID: s.ID, Kind: string(s.Kind), FileName: s.FileName, ContentType: s.ContentType,
		Size: s.Size, SHA256: s.SHA256, UploadedAt: s.UploadedAt, Content: s.Content}
}

func (s scanJSON) scan() Scan {
	return Scan{ID: s.ID, Kind: ScanKind(s.Kind), FileName: s.FileName, ContentType: s.ContentType,
		Size: s.Size, SHA256: s.SHA256, UploadedAt: s.UploadedAt, Content: s.Content}
}

type scansJSON struct {
	Scans []scanJSON `json:"scans"`
}

type policyNumberJSON struct {
	Number string `json:"number"`
}

type policiesJSON struct {
	Policies []policyNumberJSON `json:"policies"`
}

type printFormJSON struct {
	ContentType string `json:"content_type"`
	Content     []byte `json:"content"`
}

// feedJSON is a page of the feed as it travels. Changes stay raw until each
// is decoded on its own, so that one unreadable change does not hide the
// others.
type feedJSON struct {
	Changes []json.RawMessage `json:"changes"`
	Next    string            `json:"next"`
}

// historyJSON is a client's history as it travels; its changes stay raw for
// the same reason as a feed page's.
type historyJSON struct {
	Changes []json.RawMessage `json:"changes"`
}

// changeHead is what every change must carry to be skipped when the rest of
// it is unreadable.
type changeHead struct {
	ID     string     `json:"id"`
	Cursor string     `json:"cursor"`
	Kind   ChangeKind `json:"kind"`
}

type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
