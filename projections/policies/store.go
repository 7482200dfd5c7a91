package policies

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

// The shapes of the json columns. They are the read model's own, apart from
// the domain events, so that an event can change without the stored rows
// changing under the queries (a change here bumps Projection.Version).
// Every value is a plain string or number: amounts as "10000.00", days as
// "2026-03-01", times as RFC 3339 in UTC. That keeps them readable in a
// replay diff and makes encoding them cheap, which a rebuild of a million
// events notices.

type kbmJSON struct {
	Class       string `json:"class"`
	Coefficient string `json:"coefficient"`
	AsOf        string `json:"as_of"`
}

type personJSON struct {
	Name string   `json:"name"`
	IIN  string   `json:"iin,omitempty"` // masked
	KBM  *kbmJSON `json:"kbm,omitempty"`
}

// peopleJSON is everyone the policy names; it is written once, at issue.
type peopleJSON struct {
	Holder  personJSON   `json:"holder"`
	Insured []personJSON `json:"insured,omitempty"`
	Drivers []personJSON `json:"drivers,omitempty"`
}

type installmentJSON struct {
	Number     int    `json:"number"`
	DueOn      string `json:"due_on"`
	Amount     string `json:"amount"`
	PaymentRef string `json:"payment_ref,omitempty"`
	PaidAt     string `json:"paid_at,omitempty"`
}

// markJSON is merged into an installment when it is paid.
type markJSON struct {
	PaymentRef string `json:"payment_ref"`
	PaidAt     string `json:"paid_at"`
}

type paymentJSON struct {
	Ref    string `json:"ref"`
	Amount string `json:"amount"`
	PaidAt string `json:"paid_at"`
}

type documentJSON struct {
	Kind       string `json:"kind"`
	BlobRef    string `json:"blob_ref"`
	SHA256     string `json:"sha256"`
	AttachedAt string `json:"attached_at"`
}

func personOf(name string, iin interface{ Masked() string }, k policy.KBM) personJSON {
	p := personJSON{Name: name, IIN: iin.Masked()}
	if !k.IsZero() {
		p.KBM = &kbmJSON{Class: k.Class, Coefficient: k.Coefficient.String(), AsOf: k.AsOf.String()}
	}
	return p
}

func peopleOf(ps []policy.Person) []personJSON {
	if len(ps) == 0 {
		return nil
	}
	out := make([]personJSON, len(ps))
	for i, p := range ps {
		out[i] = personOf(p.Name, p.IIN, p.KBM)
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// reader turns stored strings back into values, keeping the first error.
type reader struct{ err error }

func (r *reader) fail(what, s string, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("%s %q: %w", what, s, err)
	}
}

func (r *reader) time(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.fail("time", s, err)
	}
	return t
}

func (r *reader) money(s string) money.KZT {
	m, err := money.Parse(s)
	if err != nil {
		r.fail("amount", s, err)
	}
	return m
}

func (r *reader) date(s string) policy.Date {
	d, err := policy.ParseDate(s)
	if err != nil {
		r.fail("date", s, err)
	}
	return d
}

func (r *reader) person(p personJSON) Person {
	out := Person{Name: p.Name, MaskedIIN: p.IIN}
	if p.KBM != nil {
		c, err := decimal.NewFromString(p.KBM.Coefficient)
		if err != nil {
			r.fail("kbm coefficient", p.KBM.Coefficient, err)
		}
		out.KBM = &KBM{Class: p.KBM.Class, Coefficient: c, AsOf: r.date(p.KBM.AsOf)}
	}
	return out
}

func (r *reader) people(ps []personJSON) []Person {
	var out []Person
	for _, p := range ps {
		out = append(out, r.person(p))
	}
	return out
}

// NumberKey is how policy numbers are compared: people type them with
// spaces and in either case, KIAS prints them in upper case.
func numberKey(number string) string {
	return strings.ToUpper(strings.Join(strings.Fields(number), ""))
}
