package cabinet

// Requests and responses of the client's consents to the processing of
// their personal data, and of the erasure of that data.

type Consent struct {
	Purpose     string   `xml:"purpose" json:"purpose" doc:"what the consent is for: personal_data (to conclude and serve contracts), third_parties (transfer to ESBD, KIAS and the partners that serve the contract) or marketing"`
	Scope       []string `xml:"scope" json:"scope" doc:"the categories of data it covers, such as iin, name, phone, documents"`
	Status      string   `xml:"status" json:"status" enum:"active,withdrawn,expired"`
	GivenAt     DateTime `xml:"givenAt" json:"givenAt"`
	ExpiresAt   DateTime `xml:"expiresAt,omitempty" json:"expiresAt,omitempty" doc:"absent: until withdrawn"`
	WithdrawnAt DateTime `xml:"withdrawnAt,omitempty" json:"withdrawnAt,omitempty"`
}

type GetConsentsRequest struct{}

type GetConsentsResponse struct {
	Consents []Consent `xml:"consent" json:"consents" doc:"one per purpose, by purpose; a purpose never consented to is absent"`
}

type GiveConsentRequest struct {
	Purpose   string   `xml:"purpose" json:"purpose" enum:"personal_data,third_parties,marketing"`
	Scope     []string `xml:"scope" json:"scope" doc:"at least one category of data, such as iin, name, phone, documents; at most 20 of at most 64 characters"`
	ExpiresAt DateTime `xml:"expiresAt,omitempty" json:"expiresAt,omitempty" doc:"absent: until withdrawn"`
}

type GiveConsentResponse struct {
	Consent Consent `xml:"consent" json:"consent" doc:"the consent as recorded; giving the same consent again records nothing"`
}

type WithdrawConsentRequest struct {
	Purpose string `xml:"purpose" json:"purpose" doc:"the purpose of a consent on file"`
}

type WithdrawConsentResponse struct {
	Consent Consent `xml:"consent" json:"consent" doc:"the consent as it now stands; withdrawing one that no longer holds records nothing"`
}

type RequestErasureRequest struct{}

type RequestErasureResponse struct {
	Status string `xml:"status" json:"status" enum:"erased,deferred" doc:"erased: the data is destroyed, the session is over and the client can no longer log in; deferred: recorded, and done by itself once nothing holds it back"`
	Reason string `xml:"reason,omitempty" json:"reason,omitempty" enum:"active_policy,open_claim" doc:"what holds a deferred erasure back: a policy in force or a claim still open"`
}

type EraseClientRequest struct {
	IIN      string `xml:"iin,omitempty" json:"iin,omitempty" doc:"the client's IIN; give it or clientId, not both"`
	ClientID string `xml:"clientId,omitempty" json:"clientId,omitempty"`
}

type EraseClientResponse struct {
	ClientID string `xml:"clientId" json:"clientId"`
	Status   string `xml:"status" json:"status" enum:"erased,deferred" doc:"erased: the data is destroyed and the client can no longer log in; deferred: recorded, and done by itself once nothing holds it back"`
	Reason   string `xml:"reason,omitempty" json:"reason,omitempty" enum:"active_policy,open_claim" doc:"what holds a deferred erasure back: a policy in force or a claim still open"`
}
