package cabinet

// Requests and responses of "my policies", claims, the bonus account and
// notifications.

type ListPoliciesRequest struct {
	Bucket string `xml:"bucket,omitempty" json:"bucket,omitempty" enum:"all,expiring,active,installments,history" doc:"absent means all"`
}

type PolicyCounts struct {
	All          int64 `xml:"all" json:"all"`
	Expiring     int64 `xml:"expiring" json:"expiring"`
	Active       int64 `xml:"active" json:"active"`
	Installments int64 `xml:"installments" json:"installments"`
	History      int64 `xml:"history" json:"history"`
}

type Vehicle struct {
	Make  string `xml:"make" json:"make"`
	Model string `xml:"model" json:"model"`
	Plate string `xml:"plate,omitempty" json:"plate,omitempty"`
	VIN   string `xml:"vin,omitempty" json:"vin,omitempty"`
	Year  int64  `xml:"year,omitempty" json:"year,omitempty"`
}

type NextInstallment struct {
	Number  int64 `xml:"number" json:"number"`
	DueOn   Date  `xml:"dueOn" json:"dueOn"`
	Amount  Money `xml:"amount" json:"amount"`
	Overdue bool  `xml:"overdue" json:"overdue"`
}

type PolicySummary struct {
	PolicyID        string           `xml:"policyId" json:"policyId"`
	Number          string           `xml:"number" json:"number"`
	Product         string           `xml:"product" json:"product" enum:"ogpo_vts,kasko,travel,property,accident"`
	Insurer         string           `xml:"insurer" json:"insurer"`
	StartsOn        Date             `xml:"startsOn" json:"startsOn"`
	EndsOn          Date             `xml:"endsOn" json:"endsOn"`
	LastDay         Date             `xml:"lastDay" json:"lastDay" doc:"the last day of cover: endsOn, or earlier after a cancellation"`
	Premium         Money            `xml:"premium" json:"premium"`
	Paid            Money            `xml:"paid" json:"paid"`
	PaymentMethod   string           `xml:"paymentMethod" json:"paymentMethod" enum:"card,kaspi,bank_transfer,cash,installments"`
	Standing        string           `xml:"standing" json:"standing" enum:"upcoming,in_force,ended,cancelled"`
	Bucket          string           `xml:"bucket" json:"bucket" enum:"expiring,active,history"`
	Vehicle         *Vehicle         `xml:"vehicle,omitempty" json:"vehicle,omitempty"`
	NextInstallment *NextInstallment `xml:"nextInstallment,omitempty" json:"nextInstallment,omitempty" doc:"present exactly when the policy is in the installments tab"`
	RenewedBy       string           `xml:"renewedBy,omitempty" json:"renewedBy,omitempty"`
	CancelledOn     Date             `xml:"cancelledOn,omitempty" json:"cancelledOn,omitempty"`
}

type ListPoliciesResponse struct {
	Counts   PolicyCounts    `xml:"counts" json:"counts"`
	Policies []PolicySummary `xml:"policy" json:"policies"`
}

type GetPolicyRequest struct {
	PolicyID string `xml:"policyId" json:"policyId"`
}

type KBM struct {
	Class       string `xml:"class" json:"class"`
	Coefficient string `xml:"coefficient" json:"coefficient" doc:"a decimal such as 0.90"`
	AsOf        Date   `xml:"asOf,omitempty" json:"asOf,omitempty"`
}

type Person struct {
	Name string `xml:"name" json:"name"`
	IIN  string `xml:"iin,omitempty" json:"iin,omitempty" doc:"masked"`
	KBM  *KBM   `xml:"kbm,omitempty" json:"kbm,omitempty"`
}

type Installment struct {
	Number  int64    `xml:"number" json:"number"`
	DueOn   Date     `xml:"dueOn" json:"dueOn"`
	Amount  Money    `xml:"amount" json:"amount"`
	Paid    bool     `xml:"paid" json:"paid"`
	PaidAt  DateTime `xml:"paidAt,omitempty" json:"paidAt,omitempty"`
	Overdue bool     `xml:"overdue" json:"overdue"`
}

type Payment struct {
	Ref    string   `xml:"ref" json:"ref"`
	Amount Money    `xml:"amount" json:"amount"`
	PaidAt DateTime `xml:"paidAt" json:"paidAt"`
}

type Cancellation struct {
	EffectiveOn Date   `xml:"effectiveOn" json:"effectiveOn"`
	Reason      string `xml:"reason,omitempty" json:"reason,omitempty"`
}

type PolicyDetails struct {
	Summary          PolicySummary `xml:"summary" json:"summary"`
	Holder           Person        `xml:"holder" json:"holder"`
	InsuredPersons   []Person      `xml:"insuredPerson" json:"insuredPersons"`
	Drivers          []Person      `xml:"driver" json:"drivers"`
	UnlimitedDrivers bool          `xml:"unlimitedDrivers" json:"unlimitedDrivers"`
	Outstanding      Money         `xml:"outstanding" json:"outstanding"`
	Installments     []Installment `xml:"installment" json:"installments"`
	Payments         []Payment     `xml:"payment" json:"payments"`
	RenewedFrom      string        `xml:"renewedFrom,omitempty" json:"renewedFrom,omitempty"`
	Cancellation     *Cancellation `xml:"cancellation,omitempty" json:"cancellation,omitempty"`
	IssuedAt         DateTime      `xml:"issuedAt" json:"issuedAt"`
}

type GetPolicyResponse struct {
	Policy PolicyDetails `xml:"policy" json:"policy"`
}

type GetPolicyDocumentRequest struct {
	PolicyID string `xml:"policyId" json:"policyId"`
}

type GetPolicyDocumentResponse struct {
	FileName    string `xml:"fileName" json:"fileName"`
	ContentType string `xml:"contentType" json:"contentType"`
	Source      string `xml:"source" json:"source" enum:"kias,kabinet" doc:"KIAS's print form, or kabinet's own rendering when KIAS has none"`
	Content     Binary `xml:"content" json:"content"`
}

type PayInstallmentRequest struct {
	PolicyID string `xml:"policyId" json:"policyId"`
}

type PayInstallmentResponse struct {
	Installment NextInstallment `xml:"installment" json:"installment"`
	PaymentURL  string          `xml:"paymentUrl" json:"paymentUrl"`
	ExpiresAt   DateTime        `xml:"expiresAt" json:"expiresAt"`
}

type ProlongPolicyRequest struct {
	PolicyID string `xml:"policyId" json:"policyId"`
}

type RenewalDraft struct {
	RenewsPolicyID   string   `xml:"renewsPolicyId" json:"renewsPolicyId"`
	RenewsNumber     string   `xml:"renewsNumber" json:"renewsNumber"`
	Product          string   `xml:"product" json:"product" enum:"ogpo_vts,kasko,travel,property,accident"`
	StartsOn         Date     `xml:"startsOn" json:"startsOn" doc:"the day after the old policy ends, or today if it has ended"`
	EndsOn           Date     `xml:"endsOn" json:"endsOn"`
	Holder           Person   `xml:"holder" json:"holder"`
	InsuredPersons   []Person `xml:"insuredPerson" json:"insuredPersons"`
	Drivers          []Person `xml:"driver" json:"drivers"`
	UnlimitedDrivers bool     `xml:"unlimitedDrivers" json:"unlimitedDrivers"`
	Vehicle          *Vehicle `xml:"vehicle,omitempty" json:"vehicle,omitempty"`
	PaymentMethod    string   `xml:"paymentMethod" json:"paymentMethod" enum:"card,kaspi,bank_transfer,cash,installments" doc:"the price is recomputed by the purchase form, never copied"`
}

type ProlongPolicyResponse struct {
	Draft RenewalDraft `xml:"draft" json:"draft"`
}

type ListClaimsRequest struct {
	Filter string `xml:"filter,omitempty" json:"filter,omitempty" enum:"all,in_settlement,settled" doc:"absent means all"`
}

type ClaimSummary struct {
	ClaimID      string   `xml:"claimId" json:"claimId"`
	Number       string   `xml:"number" json:"number"`
	Kind         string   `xml:"kind" json:"kind"`
	PolicyID     string   `xml:"policyId" json:"policyId"`
	PolicyNumber string   `xml:"policyNumber,omitempty" json:"policyNumber,omitempty"`
	Status       string   `xml:"status" json:"status" enum:"in_settlement,settled"`
	Stage        string   `xml:"stage" json:"stage" enum:"reported,documents_requested,documents_complete,appraisal,payout_decision,paid,refused,withdrawn"`
	ReportedAt   DateTime `xml:"reportedAt" json:"reportedAt"`
	LastChangeAt DateTime `xml:"lastChangeAt" json:"lastChangeAt"`
	ClosedAt     DateTime `xml:"closedAt,omitempty" json:"closedAt,omitempty"`
	Payout       Money    `xml:"payout,omitempty" json:"payout,omitempty"`
	MissingCount int64    `xml:"missingCount" json:"missingCount"`
}

type ListClaimsResponse struct {
	Claims []ClaimSummary `xml:"claim" json:"claims"`
}

type GetClaimRequest struct {
	ClaimID string `xml:"claimId" json:"claimId"`
}

type ClaimDocument struct {
	Kind   string   `xml:"kind" json:"kind"`
	Title  string   `xml:"title" json:"title"`
	At     DateTime `xml:"at" json:"at" doc:"when it was asked for (missing) or received"`
	SHA256 string   `xml:"sha256,omitempty" json:"sha256,omitempty"`
}

type ClaimEvent struct {
	At          DateTime        `xml:"at" json:"at"`
	Kind        string          `xml:"kind" json:"kind" enum:"reported,status_changed,documents_requested,document_received"`
	From        string          `xml:"from,omitempty" json:"from,omitempty"`
	To          string          `xml:"to,omitempty" json:"to,omitempty"`
	Reason      string          `xml:"reason,omitempty" json:"reason,omitempty"`
	Payout      Money           `xml:"payout,omitempty" json:"payout,omitempty"`
	DecisionRef string          `xml:"decisionRef,omitempty" json:"decisionRef,omitempty"`
	Documents   []ClaimDocument `xml:"document" json:"documents"`
}

type ClaimDetails struct {
	Summary     ClaimSummary    `xml:"summary" json:"summary"`
	Description string          `xml:"description,omitempty" json:"description,omitempty"`
	DecisionRef string          `xml:"decisionRef,omitempty" json:"decisionRef,omitempty"`
	Timeline    []ClaimEvent    `xml:"event" json:"timeline"`
	Missing     []ClaimDocument `xml:"missingDocument" json:"missingDocuments"`
	Received    []ClaimDocument `xml:"receivedDocument" json:"receivedDocuments"`
}

type GetClaimResponse struct {
	Claim ClaimDetails `xml:"claim" json:"claim"`
}

type GetBonusAccountRequest struct {
	Limit  int64 `xml:"limit,omitempty" json:"limit,omitempty" doc:"ledger entries to return, 1 to 200; absent means 50"`
	Before int64 `xml:"before,omitempty" json:"before,omitempty" doc:"nextBefore of the previous page"`
}

type BonusEntry struct {
	Seq        int64    `xml:"seq" json:"seq"`
	Kind       string   `xml:"kind" json:"kind" enum:"accrued,spent,reversed,expired"`
	Points     int64    `xml:"points" json:"points"`
	Delta      int64    `xml:"delta" json:"delta"`
	At         DateTime `xml:"at" json:"at"`
	PolicyID   string   `xml:"policyId,omitempty" json:"policyId,omitempty"`
	PaymentRef string   `xml:"paymentRef,omitempty" json:"paymentRef,omitempty"`
	OrderRef   string   `xml:"orderRef,omitempty" json:"orderRef,omitempty"`
	Amount     Money    `xml:"amount,omitempty" json:"amount,omitempty"`
	Reason     string   `xml:"reason,omitempty" json:"reason,omitempty"`
}

type GetBonusAccountResponse struct {
	Balance    int64        `xml:"balance" json:"balance"`
	Accrued    int64        `xml:"accrued" json:"accrued"`
	Spent      int64        `xml:"spent" json:"spent"`
	Entries    []BonusEntry `xml:"entry" json:"entries"`
	NextBefore int64        `xml:"nextBefore,omitempty" json:"nextBefore,omitempty" doc:"absent on the last page"`
}

type SpendBonusRequest struct {
	OrderRef string `xml:"orderRef" json:"orderRef" doc:"the website's order; spending twice for one order spends once"`
	Points   int64  `xml:"points" json:"points"`
}

type SpendBonusResponse struct {
	Spent   int64 `xml:"spent" json:"spent"`
	Balance int64 `xml:"balance" json:"balance"`
}

type ListNotificationsRequest struct {
	UnreadOnly bool  `xml:"unreadOnly,omitempty" json:"unreadOnly,omitempty"`
	Limit      int64 `xml:"limit,omitempty" json:"limit,omitempty" doc:"1 to 200; absent means 50"`
}

type Notification struct {
	NotificationID string   `xml:"notificationId" json:"notificationId"`
	Kind           string   `xml:"kind" json:"kind" enum:"expiring_policy,installment_due,claim_status,missing_documents,bonus,registration,access_code,phone_changed"`
	Title          string   `xml:"title" json:"title"`
	Body           string   `xml:"body" json:"body"`
	PolicyID       string   `xml:"policyId,omitempty" json:"policyId,omitempty"`
	ClaimID        string   `xml:"claimId,omitempty" json:"claimId,omitempty"`
	OccurredAt     DateTime `xml:"occurredAt" json:"occurredAt"`
	ReadAt         DateTime `xml:"readAt,omitempty" json:"readAt,omitempty"`
}

type ListNotificationsResponse struct {
	Unread        int64          `xml:"unread" json:"unread"`
	Notifications []Notification `xml:"notification" json:"notifications"`
}

type MarkNotificationReadRequest struct {
	NotificationID string `xml:"notificationId" json:"notificationId"`
}

type MarkNotificationReadResponse struct{}
