package cabinet

// Requests and responses of registration, login and the client's own data.
// Element and member names are the same on both protocols; see schema.go for
// the wire types.

type StartRegistrationRequest struct {
	IIN string `xml:"iin" json:"iin" doc:"the client's IIN, 12 digits"`
}

type StartRegistrationResponse struct {
	RegistrationID string `xml:"registrationId" json:"registrationId" doc:"pass to SendRegistrationCode and ConfirmRegistration; valid for 30 minutes"`
	FoundIn        string `xml:"foundIn" json:"foundIn" enum:"kias,esbd,none" doc:"where the IIN was found; none means the client types name and phone"`
	MaskedName     string `xml:"maskedName,omitempty" json:"maskedName,omitempty" doc:"first name and the initial of the last name"`
	MaskedPhone    string `xml:"maskedPhone,omitempty" json:"maskedPhone,omitempty" doc:"the phone on file, masked; absent when there is none"`
}

type SendRegistrationCodeRequest struct {
	RegistrationID string `xml:"registrationId" json:"registrationId"`
	FirstName      string `xml:"firstName,omitempty" json:"firstName,omitempty" doc:"required when the IIN was found nowhere"`
	LastName       string `xml:"lastName,omitempty" json:"lastName,omitempty" doc:"required when the IIN was found nowhere"`
	Phone          string `xml:"phone,omitempty" json:"phone,omitempty" doc:"the phone to send the code to; absent means the phone on file"`
	PolicyNumber   string `xml:"policyNumber,omitempty" json:"policyNumber,omitempty" doc:"one of the client's policies; required to replace a phone on file"`
}

type SendRegistrationCodeResponse struct {
	SentTo    string   `xml:"sentTo" json:"sentTo" doc:"the phone the code went to, masked"`
	ExpiresAt DateTime `xml:"expiresAt" json:"expiresAt"`
}

type ConfirmRegistrationRequest struct {
	RegistrationID string `xml:"registrationId" json:"registrationId"`
	Code           string `xml:"code" json:"code" doc:"the code from the SMS; it is also the initial access code"`
}

type Session struct {
	ClientID             string   `xml:"clientId" json:"clientId"`
	Token                string   `xml:"token" json:"token" doc:"send as Authorization: Bearer <token>"`
	ExpiresAt            DateTime `xml:"expiresAt" json:"expiresAt"`
	MustChangeAccessCode bool     `xml:"mustChangeAccessCode" json:"mustChangeAccessCode" doc:"the access code is still the one sent by SMS"`
}

type ConfirmRegistrationResponse struct {
	Session Session `xml:"session" json:"session"`
}

type RegisterAfterPurchaseRequest struct {
	IIN          string `xml:"iin" json:"iin"`
	Phone        string `xml:"phone" json:"phone" doc:"the phone given at the purchase"`
	PolicyNumber string `xml:"policyNumber" json:"policyNumber" doc:"the policy just bought"`
	FirstName    string `xml:"firstName,omitempty" json:"firstName,omitempty" doc:"used when neither KIAS nor ESBD knows the IIN"`
	LastName     string `xml:"lastName,omitempty" json:"lastName,omitempty"`
}

type RegisterAfterPurchaseResponse struct {
	ClientID string `xml:"clientId" json:"clientId"`
	Created  bool   `xml:"created" json:"created" doc:"false when the client already had a cabinet; no new access code is sent then"`
}

type LoginRequest struct {
	Login      string `xml:"login" json:"login" doc:"IIN or mobile phone"`
	AccessCode string `xml:"accessCode" json:"accessCode"`
}

type LoginResponse struct {
	Session Session `xml:"session" json:"session"`
}

type LogoutRequest struct{}

type LogoutResponse struct{}

type ChangeAccessCodeRequest struct {
	CurrentCode string `xml:"currentCode" json:"currentCode"`
	NewCode     string `xml:"newCode" json:"newCode" doc:"4 to 12 digits, not one digit repeated, not a run such as 1234"`
}

type ChangeAccessCodeResponse struct{}

type ResetAccessCodeRequest struct {
	Login string `xml:"login" json:"login" doc:"IIN or mobile phone"`
}

type ResetAccessCodeResponse struct {
	Accepted bool `xml:"accepted" json:"accepted" doc:"always true: whether the login exists is not revealed; an SMS goes to the phone on file if it does"`
}

type PersonalData struct {
	LastName           string `xml:"lastName" json:"lastName"`
	FirstName          string `xml:"firstName" json:"firstName"`
	MiddleName         string `xml:"middleName,omitempty" json:"middleName,omitempty"`
	IIN                string `xml:"iin,omitempty" json:"iin,omitempty" doc:"read only"`
	BirthDate          Date   `xml:"birthDate,omitempty" json:"birthDate,omitempty"`
	Phone              string `xml:"phone,omitempty" json:"phone,omitempty" doc:"the login phone; changing it needs policyNumber"`
	AdditionalPhone    string `xml:"additionalPhone,omitempty" json:"additionalPhone,omitempty"`
	Email              string `xml:"email,omitempty" json:"email,omitempty"`
	Address            string `xml:"address,omitempty" json:"address,omitempty"`
	DocumentType       string `xml:"documentType,omitempty" json:"documentType,omitempty" enum:"id_card,passport"`
	DocumentNumber     string `xml:"documentNumber,omitempty" json:"documentNumber,omitempty"`
	DocumentIssuedBy   string `xml:"documentIssuedBy,omitempty" json:"documentIssuedBy,omitempty"`
	DocumentIssuedOn   Date   `xml:"documentIssuedOn,omitempty" json:"documentIssuedOn,omitempty"`
	DrivingLicence     string `xml:"drivingLicence,omitempty" json:"drivingLicence,omitempty"`
	DrivingLicenceDate Date   `xml:"drivingLicenceDate,omitempty" json:"drivingLicenceDate,omitempty" doc:"first issue of a driving licence"`
}

type GetPersonalDataRequest struct{}

type GetPersonalDataResponse struct {
	PersonalData PersonalData `xml:"personalData" json:"personalData"`
}

type UpdatePersonalDataRequest struct {
	PersonalData PersonalData `xml:"personalData" json:"personalData"`
	PolicyNumber string       `xml:"policyNumber,omitempty" json:"policyNumber,omitempty" doc:"one of the client's policies; required when the phone changes"`
}

type UpdatePersonalDataResponse struct {
	PersonalData PersonalData `xml:"personalData" json:"personalData"`
}

type ScanInfo struct {
	ScanID      string   `xml:"scanId" json:"scanId"`
	Kind        string   `xml:"kind" json:"kind" enum:"id_card,driving_licence,vehicle_registration,passport"`
	FileName    string   `xml:"fileName" json:"fileName"`
	ContentType string   `xml:"contentType" json:"contentType"`
	Size        int64    `xml:"size" json:"size"`
	SHA256      string   `xml:"sha256" json:"sha256"`
	UploadedAt  DateTime `xml:"uploadedAt" json:"uploadedAt"`
}

type UploadDocumentScanRequest struct {
	Kind        string `xml:"kind" json:"kind" enum:"id_card,driving_licence,vehicle_registration,passport"`
	FileName    string `xml:"fileName" json:"fileName"`
	ContentType string `xml:"contentType" json:"contentType" enum:"image/jpeg,image/png,application/pdf"`
	Content     Binary `xml:"content" json:"content" doc:"base64; at most 700 KiB so that the request stays under 1 MiB"`
}

type UploadDocumentScanResponse struct {
	Scan ScanInfo `xml:"scan" json:"scan"`
}

type ListDocumentScansRequest struct{}

type ListDocumentScansResponse struct {
	Scans []ScanInfo `xml:"scan" json:"scans"`
}

type GetDocumentScanRequest struct {
	ScanID string `xml:"scanId" json:"scanId"`
}

type GetDocumentScanResponse struct {
	Scan    ScanInfo `xml:"scan" json:"scan"`
	Content Binary   `xml:"content" json:"content"`
}

type Channels struct {
	SMS   bool `xml:"sms" json:"sms"`
	Email bool `xml:"email" json:"email"`
}

type Settings struct {
	ExpiringPolicy   Channels `xml:"expiringPolicy" json:"expiringPolicy"`
	InstallmentDue   Channels `xml:"installmentDue" json:"installmentDue"`
	ClaimStatus      Channels `xml:"claimStatus" json:"claimStatus"`
	MissingDocuments Channels `xml:"missingDocuments" json:"missingDocuments"`
	Bonus            Channels `xml:"bonus" json:"bonus"`
	AutoProlongation bool     `xml:"autoProlongation" json:"autoProlongation"`
	Email            string   `xml:"email,omitempty" json:"email,omitempty" doc:"where e-mail notifications go; required when any e-mail channel is on"`
}

type GetSettingsRequest struct{}

type GetSettingsResponse struct {
	Settings Settings `xml:"settings" json:"settings"`
}

type UpdateSettingsRequest struct {
	Settings Settings `xml:"settings" json:"settings"`
}

type UpdateSettingsResponse struct {
	Settings Settings `xml:"settings" json:"settings"`
}
