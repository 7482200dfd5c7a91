package web

import (
	"net/http"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

type claimsPage struct {
	InSettlement, Settled []cabinet.ClaimSummary
}

// claims lists the client's claims: in settlement first, then settled.
func (h *Handler) claims(w http.ResponseWriter, r *http.Request) {
	resp, err := call[cabinet.ListClaimsResponse](h, r, "ListClaims", &cabinet.ListClaimsRequest{Filter: "all"})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var p claimsPage
	for _, c := range resp.Claims {
		if c.Status == "settled" {
			p.Settled = append(p.Settled, c)
		} else {
			p.InSettlement = append(p.InSettlement, c)
		}
	}
	h.render(w, r, http.StatusOK, "claims", view{Section: "claims", Data: p})
}

// claim shows a claim: the documents still missing first, then those
// received and the timeline.
func (h *Handler) claim(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	resp, err := call[cabinet.GetClaimResponse](h, r, "GetClaim", &cabinet.GetClaimRequest{ClaimID: id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "claim", view{Section: "claims", Data: resp.Claim})
}
