package cabinet

import (
	"context"
	"reflect"
)

// Access says who may call an operation.
type Access int

const (
	// Public operations need the website's API key and no session:
	// registration, login, resetting a forgotten code.
	Public Access = iota
	// ClientSession operations need the website's API key and a client's
	// session token; they act on that client only.
	ClientSession
	// InsurerSystem operations need an API key of the insurer role.
	InsurerSystem
)

func (a Access) String() string {
	switch a {
	case Public:
		return "public"
	case ClientSession:
		return "session"
	case InsurerSystem:
		return "insurer"
	}
	return "unknown"
}

// Operation is one operation of the API, the same on SOAP and JSON. The edges
// decode a request into a new value of Request, call Invoke, and encode the
// response, a pointer to a value of Response.
type Operation struct {
	Name     string // "Login"; the SOAP request element, the response is Name+"Response"
	Access   Access
	Doc      string
	Request  reflect.Type
	Response reflect.Type
	call     func(ctx context.Context, s *Service, c Caller, req any) (any, error)
}

// NewRequest returns a pointer to a new zero request of the operation.
func (op Operation) NewRequest() any { return reflect.New(op.Request).Interface() }

func op[Req, Resp any](name string, access Access, doc string,
	fn func(s *Service, ctx context.Context, c Caller, req *Req) (*Resp, error)) Operation {
	return Operation{
		Name: name, Access: access, Doc: doc,
		Request: reflect.TypeFor[Req](), Response: reflect.TypeFor[Resp](),
		call: func(ctx context.Context, s *Service, c Caller, req any) (any, error) {
			r, ok := req.(*Req)
			if !ok {
				return nil, failure(CodeMalformedRequest, "request of %s has the wrong type", name)
			}
			return fn(s, ctx, c, r)
		},
	}
}

// Operations lists every operation, in the order the documents show them.
func Operations() []Operation {
	return []Operation{
		op("StartRegistration", Public, "Looks the IIN up in KIAS, then in ESBD, and opens a registration.", (*Service).StartRegistration),
		op("SendRegistrationCode", Public, "Sends the SMS code of a registration to the phone on file or to a phone the client typed.", (*Service).SendRegistrationCode),
		op("ConfirmRegistration", Public, "Creates the cabinet once the SMS code is right and opens a session.", (*Service).ConfirmRegistration),
		op("RegisterAfterPurchase", Public, "Creates the cabinet of a client who bought a policy online and sends the access code by SMS.", (*Service).RegisterAfterPurchase),
		op("Login", Public, "Checks a login (IIN or phone) and access code and opens a session.", (*Service).Login),
		op("ResetAccessCode", Public, "Sends a new access code by SMS to the phone on file; the answer is the same whether or not the login exists.", (*Service).ResetAccessCode),
		op("Logout", ClientSession, "Ends the session.", (*Service).Logout),
		op("ChangeAccessCode", ClientSession, "Replaces the access code with one the client chose.", (*Service).ChangeAccessCode),
		op("GetPersonalData", ClientSession, "Reads the client's personal data from KIAS.", (*Service).GetPersonalData),
		op("UpdatePersonalData", ClientSession, "Saves the client's personal data to KIAS.", (*Service).UpdatePersonalData),
		op("UploadDocumentScan", ClientSession, "Stores a scan of an ID card, driving licence, vehicle registration or passport in KIAS.", (*Service).UploadDocumentScan),
		op("ListDocumentScans", ClientSession, "Lists the client's document scans.", (*Service).ListDocumentScans),
		op("GetDocumentScan", ClientSession, "Returns one scan with its content.", (*Service).GetDocumentScan),
		op("GetSettings", ClientSession, "Returns notification channels per kind and auto-prolongation.", (*Service).GetSettings),
		op("UpdateSettings", ClientSession, "Replaces the client's settings.", (*Service).UpdateSettings),
		op("GetConsents", ClientSession, "Lists the client's consents to the processing of personal data.", (*Service).GetConsents),
		op("GiveConsent", ClientSession, "Records the client's consent for a purpose over a scope of data, until withdrawn or until it expires.", (*Service).GiveConsent),
		op("WithdrawConsent", ClientSession, "Withdraws a consent; one that a policy in force or an open claim needs is refused with CONSENT_REQUIRED_BY_CONTRACT.", (*Service).WithdrawConsent),
		op("RequestErasure", ClientSession, "Erases the client's personal data: at once, ending the session and the cabinet, or once the policies in force have ended and the open claims are closed.", (*Service).RequestErasure),
		op("ListPolicies", ClientSession, "Lists the client's policies in a tab with the count of every tab.", (*Service).ListPolicies),
		op("GetPolicy", ClientSession, "Returns a policy with all its details.", (*Service).GetPolicy),
		op("GetPolicyDocument", ClientSession, "Returns the policy as a PDF.", (*Service).GetPolicyDocument),
		op("PayInstallment", ClientSession, "Returns a payment link for the next installment.", (*Service).PayInstallment),
		op("ProlongPolicy", ClientSession, "Returns a renewal draft pre-filled from the policy for the purchase form.", (*Service).ProlongPolicy),
		op("ListClaims", ClientSession, "Lists the client's claims, in settlement or settled.", (*Service).ListClaims),
		op("GetClaim", ClientSession, "Returns a claim with its timeline and documents, missing ones first.", (*Service).GetClaim),
		op("GetBonusAccount", ClientSession, "Returns the bonus balance and a page of the ledger.", (*Service).GetBonusAccount),
		op("SpendBonus", ClientSession, "Pays for an order with points, once per order.", (*Service).SpendBonus),
		op("ListNotifications", ClientSession, "Lists the client's notifications, newest first.", (*Service).ListNotifications),
		op("MarkNotificationRead", ClientSession, "Marks a notification as read.", (*Service).MarkNotificationRead),
		op("IssuePolicy", InsurerSystem, "Records a contract concluded in KIAS.", (*Service).IssuePolicy),
		op("RecordPayment", InsurerSystem, "Records money received on a policy or one of its installments.", (*Service).RecordPayment),
		op("RefundPayment", InsurerSystem, "Records money paid back out of a payment; the bonus points it earned are taken back.", (*Service).RefundPayment),
		op("ReportClaim", InsurerSystem, "Opens a claim on a policy.", (*Service).ReportClaim),
		op("ChangeClaimStatus", InsurerSystem, "Moves a claim to another stage.", (*Service).ChangeClaimStatus),
		op("RequestClaimDocuments", InsurerSystem, "Asks the client for documents for a claim.", (*Service).RequestClaimDocuments),
		op("ReceiveClaimDocument", InsurerSystem, "Records a document received for a claim.", (*Service).ReceiveClaimDocument),
		op("EraseClient", InsurerSystem, "Erases a client's personal data on a request made at the insurer's office, as RequestErasure does.", (*Service).EraseClient),
	}
}

// Lookup finds an operation by name.
func Lookup(name string) (Operation, bool) {
	for _, o := range operations {
		if o.Name == name {
			return o, true
		}
	}
	return Operation{}, false
}

var operations = Operations()
