package web

import (
	"net/http"
	"strconv"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// ledgerPage is how many ledger entries a page of the bonus account shows.
const ledgerPage = 20

type bonusPage struct {
	Account cabinet.GetBonusAccountResponse
	Earlier bool // this is not the first page
}

// bonus shows the balance and the ledger, newest first, a page at a time;
// ?before= is the service's cursor.
func (h *Handler) bonus(w http.ResponseWriter, r *http.Request) {
	before, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if err != nil || before < 0 {
		before = 0
	}
	resp, err := call[cabinet.GetBonusAccountResponse](h, r, "GetBonusAccount", &cabinet.GetBonusAccountRequest{Limit: ledgerPage, Before: before})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "bonus", view{Section: "bonus", Data: bonusPage{Account: *resp, Earlier: before > 0}})
}
