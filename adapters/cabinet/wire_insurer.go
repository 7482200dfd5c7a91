package cabinet

// Requests and responses of the operations for the insurer's systems (KIAS
// and the payment back office), called with a key of the insurer role.
// Policies are named by their KIAS contract ID and claims by their KIAS
// claim number, so a repeated call is recognised without a kabinet ID.

type PersonInput struct {
	Name string    `xml:"name" json:"name"`
	IIN  string    `xml:"iin,omitempty" json:"iin,omitempty"`
	KBM  *KBMInput `xml:"kbm,omitempty" json:"kbm,omitempty"`
}

type KBMInput struct {
	Class       string `xml:"class" json:"class"`
	Coefficient string `xml:"coefficient" json:"coefficient" doc:"a decimal such as 0.90"`
	AsOf        Date   `xml:"asOf" json:"asOf"`
}

type InstallmentInput struct {
	Number int64 `xml:"number" json:"number"`
	DueOn  Date  `xml:"dueOn" json:"dueOn"`
	Amount Money `xml:"amount" json:"amount"`
}

type IssuePolicyRequest struct {
	KIASContractID       string             `xml:"kiasContractId" json:"kiasContractId"`
	Number               string             `xml:"number" json:"number"`
	Product              string             `xml:"product" json:"product" enum:"ogpo_vts,kasko,travel,property,accident"`
	Insurer              string             `xml:"insurer" json:"insurer"`
	StartsOn             Date               `xml:"startsOn" json:"startsOn"`
	EndsOn               Date               `xml:"endsOn" json:"endsOn"`
	Holder               PersonInput        `xml:"holder" json:"holder" doc:"the IIN is required; the policy shows in the cabinet of that IIN, now or once it registers"`
	InsuredPersons       []PersonInput      `xml:"insuredPerson" json:"insuredPersons"`
	Drivers              []PersonInput      `xml:"driver" json:"drivers"`
	UnlimitedDrivers     bool               `xml:"unlimitedDrivers,omitempty" json:"unlimitedDrivers,omitempty"`
	Vehicle              *Vehicle           `xml:"vehicle,omitempty" json:"vehicle,omitempty"`
	Premium              Money              `xml:"premium" json:"premium"`
	PaymentMethod        string             `xml:"paymentMethod" json:"paymentMethod" enum:"card,kaspi,bank_transfer,cash,installments"`
	Installments         []InstallmentInput `xml:"installment" json:"installments"`
	RenewsKIASContractID string             `xml:"renewsKiasContractId,omitempty" json:"renewsKiasContractId,omitempty"`
}

type IssuePolicyResponse struct {
	PolicyID string `xml:"policyId" json:"policyId"`
	Created  bool   `xml:"created" json:"created" doc:"false when the contract was issued before"`
}

type RecordPaymentRequest struct {
	KIASContractID string   `xml:"kiasContractId" json:"kiasContractId"`
	PaymentRef     string   `xml:"paymentRef" json:"paymentRef"`
	Amount         Money    `xml:"amount" json:"amount"`
	PaidAt         DateTime `xml:"paidAt,omitempty" json:"paidAt,omitempty" doc:"absent means now"`
	Installment    int64    `xml:"installment,omitempty" json:"installment,omitempty" doc:"the installment paid, for a policy paid by installments"`
}

type RecordPaymentResponse struct {
	PolicyID string `xml:"policyId" json:"policyId"`
	Recorded bool   `xml:"recorded" json:"recorded" doc:"false when the payment was recorded before"`
}

type RefundPaymentRequest struct {
	KIASContractID string   `xml:"kiasContractId" json:"kiasContractId"`
	PaymentRef     string   `xml:"paymentRef" json:"paymentRef" doc:"the payment the money came from"`
	RefundRef      string   `xml:"refundRef" json:"refundRef" doc:"the refund's own reference; the same refund sent again records nothing"`
	Amount         Money    `xml:"amount" json:"amount" doc:"at most what is left of the payment"`
	RefundedAt     DateTime `xml:"refundedAt,omitempty" json:"refundedAt,omitempty" doc:"absent means now"`
}

type RefundPaymentResponse struct {
	PolicyID string `xml:"policyId" json:"policyId"`
	Recorded bool   `xml:"recorded" json:"recorded" doc:"false when the refund was recorded before"`
}

type ReportClaimRequest struct {
	Number         string   `xml:"number" json:"number" doc:"the KIAS claim file number"`
	KIASContractID string   `xml:"kiasContractId" json:"kiasContractId" doc:"the policy the claim is on"`
	Kind           string   `xml:"kind" json:"kind"`
	Description    string   `xml:"description,omitempty" json:"description,omitempty"`
	ReportedAt     DateTime `xml:"reportedAt,omitempty" json:"reportedAt,omitempty"`
}

type ReportClaimResponse struct {
	ClaimID string `xml:"claimId" json:"claimId"`
	Created bool   `xml:"created" json:"created"`
}

type ChangeClaimStatusRequest struct {
	Number      string `xml:"number" json:"number"`
	Status      string `xml:"status" json:"status" enum:"reported,documents_requested,documents_complete,appraisal,payout_decision,paid,refused,withdrawn"`
	Reason      string `xml:"reason,omitempty" json:"reason,omitempty" doc:"required for refused"`
	Payout      Money  `xml:"payout,omitempty" json:"payout,omitempty" doc:"required for paid"`
	DecisionRef string `xml:"decisionRef,omitempty" json:"decisionRef,omitempty"`
}

type ChangeClaimStatusResponse struct {
	ClaimID string `xml:"claimId" json:"claimId"`
}

type DocumentRequest struct {
	Kind  string `xml:"kind" json:"kind"`
	Title string `xml:"title" json:"title"`
}

type RequestClaimDocumentsRequest struct {
	Number    string            `xml:"number" json:"number"`
	Documents []DocumentRequest `xml:"document" json:"documents"`
}

type RequestClaimDocumentsResponse struct {
	ClaimID string `xml:"claimId" json:"claimId"`
}

type ReceiveClaimDocumentRequest struct {
	Number  string `xml:"number" json:"number"`
	Kind    string `xml:"kind" json:"kind"`
	BlobRef string `xml:"blobRef" json:"blobRef" doc:"where KIAS keeps the document"`
	SHA256  string `xml:"sha256" json:"sha256"`
}

type ReceiveClaimDocumentResponse struct {
	ClaimID string `xml:"claimId" json:"claimId"`
}
