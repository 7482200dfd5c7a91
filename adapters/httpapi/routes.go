package httpapi

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// basePath is where the API lives; every route's path is below it.
const basePath = "/api/v1"

// route puts one cabinet operation at one method and path.
type route struct {
	op     string // the cabinet operation's name
	method string
	path   string // below basePath, in ServeMux and OpenAPI syntax alike
	// download is a media type the response may be sent as, raw, instead
	// of JSON when the Accept header prefers it.
	download string
}

// routes is the one table of the JSON API. Path parameters and, for GET and
// DELETE, query parameters take the request members of the same JSON name;
// POST and PUT take the other members as a JSON body.
var routes = []route{
	{op: "StartRegistration", method: http.MethodPost, path: "/registrations"},
	{op: "SendRegistrationCode", method: http.MethodPost, path: "/registrations/{registrationId}/code"},
	{op: "ConfirmRegistration", method: http.MethodPost, path: "/registrations/{registrationId}/confirm"},
	{op: "RegisterAfterPurchase", method: http.MethodPost, path: "/registrations/after-purchase"},
	{op: "Login", method: http.MethodPost, path: "/sessions"},
	{op: "ResetAccessCode", method: http.MethodPost, path: "/access-code/reset"},
	{op: "Logout", method: http.MethodDelete, path: "/sessions/current"},
	{op: "ChangeAccessCode", method: http.MethodPut, path: "/me/access-code"},
	{op: "GetPersonalData", method: http.MethodGet, path: "/me/personal-data"},
	{op: "UpdatePersonalData", method: http.MethodPut, path: "/me/personal-data"},
	{op: "UploadDocumentScan", method: http.MethodPost, path: "/me/scans"},
	{op: "ListDocumentScans", method: http.MethodGet, path: "/me/scans"},
	{op: "GetDocumentScan", method: http.MethodGet, path: "/me/scans/{scanId}"},
	{op: "GetSettings", method: http.MethodGet, path: "/me/settings"},
	{op: "UpdateSettings", method: http.MethodPut, path: "/me/settings"},
	{op: "GetConsents", method: http.MethodGet, path: "/me/consents"},
	{op: "GiveConsent", method: http.MethodPut, path: "/me/consents/{purpose}"},
	{op: "WithdrawConsent", method: http.MethodDelete, path: "/me/consents/{purpose}"},
	{op: "RequestErasure", method: http.MethodPost, path: "/me/erasure"},
	{op: "ListPolicies", method: http.MethodGet, path: "/policies"},
	{op: "GetPolicy", method: http.MethodGet, path: "/policies/{policyId}"},
	{op: "GetPolicyDocument", method: http.MethodGet, path: "/policies/{policyId}/document", download: "application/pdf"},
	{op: "PayInstallment", method: http.MethodPost, path: "/policies/{policyId}/installment-payment"},
	{op: "ProlongPolicy", method: http.MethodPost, path: "/policies/{policyId}/renewal-draft"},
	{op: "ListClaims", method: http.MethodGet, path: "/claims"},
	{op: "GetClaim", method: http.MethodGet, path: "/claims/{claimId}"},
	{op: "GetBonusAccount", method: http.MethodGet, path: "/bonus"},
	{op: "SpendBonus", method: http.MethodPost, path: "/bonus/spend"},
	{op: "ListNotifications", method: http.MethodGet, path: "/notifications"},
	{op: "MarkNotificationRead", method: http.MethodPost, path: "/notifications/{notificationId}/read"},
	{op: "IssuePolicy", method: http.MethodPost, path: "/insurer/policies"},
	{op: "RecordPayment", method: http.MethodPost, path: "/insurer/payments"},
	{op: "RefundPayment", method: http.MethodPost, path: "/insurer/refunds"},
	{op: "ReportClaim", method: http.MethodPost, path: "/insurer/claims"},
	{op: "ChangeClaimStatus", method: http.MethodPost, path: "/insurer/claims/{number}/status"},
	{op: "RequestClaimDocuments", method: http.MethodPost, path: "/insurer/claims/{number}/document-requests"},
	{op: "ReceiveClaimDocument", method: http.MethodPost, path: "/insurer/claims/{number}/documents"},
	{op: "EraseClient", method: http.MethodPost, path: "/insurer/clients/erasure"},
}

// takesBody reports whether requests of the method carry a JSON body.
func takesBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

var pathParam = regexp.MustCompile(`\{([^{}]*)\}`)

// pathParams lists the names of a path's parameters in order.
func pathParams(path string) []string {
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		names = append(names, m[1])
	}
	return names
}

// endpoint is a route bound to its operation, ready to serve.
type endpoint struct {
	route
	op      cabinet.Operation
	binding *binding
}

// compile checks the table against the operations: every operation has
// exactly one route, every route a known operation, and every request type
// can be bound from its route.
func compile(table []route, ops []cabinet.Operation) ([]*endpoint, error) {
	var errs []string
	byName := make(map[string]cabinet.Operation, len(ops))
	for _, o := range ops {
		byName[o.Name] = o
	}
	seenOp := make(map[string]bool)
	seenRoute := make(map[string]string)
	var eps []*endpoint
	for _, r := range table {
		o, ok := byName[r.op]
		if !ok {
			errs = append(errs, fmt.Sprintf("route %s %s: no operation %q", r.method, r.path, r.op))
			continue
		}
		if seenOp[r.op] {
			errs = append(errs, fmt.Sprintf("operation %s has more than one route", r.op))
		}
		seenOp[r.op] = true
		key := r.method + " " + pathParam.ReplaceAllString(r.path, "{}")
		if other, dup := seenRoute[key]; dup {
			errs = append(errs, fmt.Sprintf("%s and %s share %s %s", other, r.op, r.method, r.path))
		}
		seenRoute[key] = r.op
		if !strings.HasPrefix(r.path, "/") {
			errs = append(errs, fmt.Sprintf("route of %s: path %q must start with /", r.op, r.path))
		}
		b, err := newBinding(o.Request, pathParams(r.path), takesBody(r.method))
		if err != nil {
			errs = append(errs, fmt.Sprintf("route of %s: %v", r.op, err))
			continue
		}
		if err := checkResponse(o.Response); err != nil {
			errs = append(errs, fmt.Sprintf("response of %s: %v", r.op, err))
		}
		eps = append(eps, &endpoint{route: r, op: o, binding: b})
	}
	for _, o := range ops {
		if !seenOp[o.Name] {
			errs = append(errs, fmt.Sprintf("operation %s has no route", o.Name))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("route table: %s", strings.Join(errs, "; "))
	}
	return eps, nil
}
