package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// tab is a bucket of "Мои полисы" as the menu of the screen shows it.
type tab struct {
	Key, Title string
	Count      int64
	Current    bool
}

// section is a list of policies under a heading.
type section struct {
	Key, Title string
	Count      int64
	Policies   []cabinet.PolicySummary
}

type policiesPage struct {
	Tabs     []tab
	Overview bool // the default screen: the policies in force, by term and by payment
	Sections []section
}

// The buckets, in the order the screen shows them, with their headings.
var buckets = []struct{ key, tab, heading string }{
	{"expiring", "Истекающие", "С истекающим сроком действия"},
	{"active", "Действующие", "Действующие"},
	{"installments", "В рассрочку", "С оплатой в рассрочку"},
	{"history", "Страховая история", "Моя страховая история"},
}

func count(c cabinet.PolicyCounts, bucket string) int64 {
	switch bucket {
	case "expiring":
		return c.Expiring
	case "active":
		return c.Active
	case "installments":
		return c.Installments
	case "history":
		return c.History
	}
	return c.All
}

// policies is "Мои полисы". By default it shows the policies in force by
// term (expiring, active) and by payment (installments), as the seed asks;
// a tab shows one bucket as the service sorts it. Both come from one call.
func (h *Handler) policies(w http.ResponseWriter, r *http.Request) {
	current := r.URL.Query().Get("bucket")
	known := false
	for _, b := range buckets {
		known = known || b.key == current
	}
	if !known {
		current = ""
	}
	req := &cabinet.ListPoliciesRequest{Bucket: current}
	if current == "" {
		req.Bucket = "all"
	}
	resp, err := call[cabinet.ListPoliciesResponse](h, r, "ListPolicies", req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := policiesPage{Overview: current == ""}
	for _, b := range buckets {
		p.Tabs = append(p.Tabs, tab{Key: b.key, Title: b.tab, Count: count(resp.Counts, b.key), Current: b.key == current})
		switch {
		case current == b.key:
			p.Sections = append(p.Sections, section{Key: b.key, Title: b.heading, Count: count(resp.Counts, b.key), Policies: resp.Policies})
		case current == "" && b.key != "history":
			p.Sections = append(p.Sections, section{Key: b.key, Title: b.heading, Count: count(resp.Counts, b.key), Policies: inBucket(resp.Policies, b.key)})
		}
	}
	h.render(w, r, http.StatusOK, "policies", view{Section: "policies", Data: p})
}

// inBucket picks the policies of a bucket out of all of them, by what the
// service says of each: its bucket, and for installments the next one due
// (present exactly when the policy is in that tab).
func inBucket(all []cabinet.PolicySummary, bucket string) []cabinet.PolicySummary {
	var out []cabinet.PolicySummary
	for _, p := range all {
		if p.Bucket == bucket || (bucket == "installments" && p.NextInstallment != nil) {
			out = append(out, p)
		}
	}
	return out
}

type policyPage struct {
	Policy   cabinet.PolicyDetails
	CanRenew bool
}

// policy shows a policy with everything the seed lists: term, holder and
// drivers with their KBM, vehicle, premium and paid, installments.
func (h *Handler) policy(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	resp, err := call[cabinet.GetPolicyResponse](h, r, "GetPolicy", &cabinet.GetPolicyRequest{PolicyID: id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s := resp.Policy.Summary
	h.render(w, r, http.StatusOK, "policy", view{Section: "policies", Data: policyPage{
		Policy:   resp.Policy,
		CanRenew: s.RenewedBy == "" && s.Standing != "cancelled",
	}})
}

// policyDocument sends the policy as a PDF to save.
func (h *Handler) policyDocument(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	resp, err := call[cabinet.GetPolicyDocumentResponse](h, r, "GetPolicyDocument", &cabinet.GetPolicyDocumentRequest{PolicyID: id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	download(w, "application/pdf", resp.FileName, resp.Content)
}

type payPage struct {
	PolicyID string
	Payment  cabinet.PayInstallmentResponse
}

// payInstallment gets a payment link for the next installment and shows
// it; the client follows it to the payment provider. (A redirect would
// leave the site from a form, which the content security policy forbids.)
func (h *Handler) payInstallment(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	resp, err := call[cabinet.PayInstallmentResponse](h, r, "PayInstallment", &cabinet.PayInstallmentRequest{PolicyID: id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "pay", view{Section: "policies", Data: payPage{PolicyID: id, Payment: *resp}})
}

type renewalPage struct {
	Draft       cabinet.RenewalDraft
	PurchaseURL string
}

// renewal shows the renewal draft the purchase form starts from; the price
// is computed there.
func (h *Handler) renewal(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	resp, err := call[cabinet.ProlongPolicyResponse](h, r, "ProlongPolicy", &cabinet.ProlongPolicyRequest{PolicyID: id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := renewalPage{Draft: resp.Draft}
	if h.cfg.PurchaseURL != "" {
		u, _ := url.Parse(h.cfg.PurchaseURL) // checked by Validate
		q := u.Query()
		q.Set("renews", id)
		u.RawQuery = q.Encode()
		p.PurchaseURL = u.String()
	}
	h.render(w, r, http.StatusOK, "renewal", view{Section: "policies", Data: p})
}

// download sends a file to be saved rather than shown.
func download(w http.ResponseWriter, contentType, name string, content []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content)
}
