package esbd

import (
	"errors"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/kz"
)

// dateLayout is how the API writes a KBM's date.
const dateLayout = "2006-01-02"

type personJSON struct {
	IIN        string   `json:"iin"`
	LastName   string   `json:"last_name"`
	FirstName  string   `json:"first_name"`
	MiddleName string   `json:"middle_name,omitempty"`
	Phone      string   `json:"phone,omitempty"`
	KBM        *kbmJSON `json:"kbm,omitempty"`
}

type kbmJSON struct {
	Class       string          `json:"class"`
	Coefficient decimal.Decimal `json:"coefficient"`
	AsOf        string          `json:"as_of,omitempty"`
}

func toPersonJSON(p Person) personJSON {
	out := personJSON{IIN: p.IIN.String(), LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, Phone: p.Phone.String()}
	if p.KBM != (KBM{}) {
		out.KBM = &kbmJSON{Class: p.KBM.Class, Coefficient: p.KBM.Coefficient}
		if !p.KBM.AsOf.IsZero() {
			out.KBM.AsOf = p.KBM.AsOf.Format(dateLayout)
		}
	}
	return out
}

// person reads an answer about iin. A phone kabinet cannot read counts as
// none; a malformed KBM date is an error that names the field only.
func (p personJSON) person(iin kz.IIN) (Person, error) {
	out := Person{IIN: iin, LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName}
	if ph, err := kz.ParsePhone(p.Phone); err == nil {
		out.Phone = ph
	}
	if k := p.KBM; k != nil {
		out.KBM = KBM{Class: strings.TrimSpace(k.Class), Coefficient: k.Coefficient}
		if k.AsOf != "" {
			t, err := time.Parse(dateLayout, k.AsOf)
			if err != nil {
				return Person{}, errors.New("kbm.as_of: want a date YYYY-MM-DD")
			}
			out.KBM.AsOf = t
		}
	}
	return out, nil
}
