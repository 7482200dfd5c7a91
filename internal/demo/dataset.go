package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Almaty must resolve on hosts without a zone database

	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/policy"
)

const insurer = "АО «Страховая компания «Демо»»"

// dataset is everything Load puts in, laid out around one day.
type dataset struct {
	people   []*person
	policies []policySpec
	claims   []*claimSpec
}

// policySpec is a policy and how it was paid. Days count from the day of
// the load.
type policySpec struct {
	holder    *person
	contract  string // the KIAS contract ID, the policy's natural key
	number    string
	product   policy.Product
	starts    int
	ends      int
	premium   string
	method    policy.PaymentMethod
	drivers   []driver
	unlimited bool
	insured   []*person
	vehicle   *cabinet.Vehicle
	renews    string // the contract this one renews
	// paidOn is the day of the payment in full (not for installments);
	// zero means at the time of the load.
	paidOn int
	// parts is the number of installments, one every 30 days from the
	// start; the first paid of them are paid each on its due day.
	parts int
	paid  int
}

// driver is a permitted driver with their KBM as KIAS reports it.
type driver struct {
	p     *person
	class string
	coef  string
}

// claimSpec is a claim and the steps KIAS took on it, in order. Every step
// must write something the first time: a step that changes nothing leaves
// no trace of its idempotency key, and a second Load would send it again on
// a claim that has moved on. So no step asks for documents_complete: the
// receipt of the last missing document moves the claim there by itself.
type claimSpec struct {
	holder      *person
	number      string // the KIAS claim number, the claim's natural key
	contract    string
	kind        string
	description string
	reported    int // day of the report, before the load
	steps       []step
}

// step is one insurer operation on a claim.
type step struct {
	op  string
	req any
}

func (c *claimSpec) to(status claim.Status) *claimSpec {
	return c.status(&cabinet.ChangeClaimStatusRequest{Number: c.number, Status: string(status)})
}

func (c *claimSpec) status(req *cabinet.ChangeClaimStatusRequest) *claimSpec {
	c.steps = append(c.steps, step{op: "ChangeClaimStatus", req: req})
	return c
}

// ask requests documents by kind, with the titles the client is shown.
func (c *claimSpec) ask(kinds ...string) *claimSpec {
	req := &cabinet.RequestClaimDocumentsRequest{Number: c.number}
	for _, k := range kinds {
		req.Documents = append(req.Documents, cabinet.DocumentRequest{Kind: k, Title: documentTitles[k]})
	}
	c.steps = append(c.steps, step{op: "RequestClaimDocuments", req: req})
	return c
}

// got records documents KIAS received, each under a reference of its own.
func (c *claimSpec) got(kinds ...string) *claimSpec {
	for _, k := range kinds {
		ref := "kias://claims/" + c.number + "/" + k
		sum := sha256.Sum256([]byte(ref))
		c.steps = append(c.steps, step{op: "ReceiveClaimDocument", req: &cabinet.ReceiveClaimDocumentRequest{
			Number: c.number, Kind: k, BlobRef: ref, SHA256: hex.EncodeToString(sum[:])}})
	}
	return c
}

var documentTitles = map[string]string{
	"id_card":        "Удостоверение личности",
	"police_report":  "Справка из административной полиции о ДТП",
	"photos":         "Фотографии повреждений",
	"bank_details":   "Реквизиты банковского счёта для выплаты",
	"inspection_act": "Акт обследования квартиры от КСК",
	"medical_report": "Выписка из медицинского учреждения",
	"receipts":       "Чеки об оплате лечения",
}

// build returns the data set; its days count from the day of the load.
func build() dataset {
	saparov, wife, astana, daughter := people()
	camry := &cabinet.Vehicle{Make: "Toyota", Model: "Camry", Plate: "777ABA02", VIN: "JTNB11HK503109876", Year: 2019}
	tucson := &cabinet.Vehicle{Make: "Hyundai", Model: "Tucson", Plate: "452KTA02", VIN: "KMHJ381ADMU123456", Year: 2021}
	sportage := &cabinet.Vehicle{Make: "Kia", Model: "Sportage", Plate: "318AVB01", VIN: "U5YPG81ABLL765432", Year: 2020}
	ds := dataset{people: []*person{saparov, wife, astana, daughter}}

	ds.policies = []policySpec{
		// The main client: last year's compulsory policy (history), its
		// renewal ending within 30 days (expiring), a flat (active), own
		// damage paid by installments with the third one overdue
		// (installments), a trip (history).
		{holder: saparov, contract: "KD-D-1001", number: "OGPO-D-771001", product: policy.ProductOGPOVTS,
			starts: -709, ends: -345, premium: "35200.00", method: policy.PaymentCard, paidOn: -709, vehicle: camry,
			drivers: []driver{{saparov, "4", "0.85"}, {wife, "6", "0.75"}}},
		{holder: saparov, contract: "KD-D-1002", number: "OGPO-D-771002", product: policy.ProductOGPOVTS, renews: "KD-D-1001",
			starts: -344, ends: 20, premium: "33100.00", method: policy.PaymentCard, paidOn: -344, vehicle: camry,
			drivers: []driver{{saparov, "5", "0.80"}, {wife, "7", "0.70"}, {daughter, "3", "1.00"}}},
		{holder: saparov, contract: "KD-D-1003", number: "PROP-D-771003", product: policy.ProductProperty,
			starts: -40, ends: 324, premium: "21000.00", method: policy.PaymentKaspi, paidOn: -41, insured: []*person{saparov}},
		{holder: saparov, contract: "KD-D-1004", number: "KASKO-D-771004", product: policy.ProductKASKO,
			starts: -75, ends: 289, premium: "247500.00", method: policy.PaymentInstallments, parts: 6, paid: 2, vehicle: camry,
			drivers: []driver{{saparov, "5", "0.80"}, {wife, "7", "0.70"}}},
		{holder: saparov, contract: "KD-D-1005", number: "VZR-D-771005", product: policy.ProductTravel,
			starts: -200, ends: -186, premium: "9800.00", method: policy.PaymentCard, paidOn: -215, insured: []*person{saparov, wife}},

		// His wife: her own car (active) and accident cover paid by
		// installments, none overdue.
		{holder: wife, contract: "KD-D-2001", number: "OGPO-D-772001", product: policy.ProductOGPOVTS,
			starts: -100, ends: 264, premium: "29800.00", method: policy.PaymentKaspi, paidOn: -101, vehicle: tucson,
			drivers: []driver{{wife, "7", "0.70"}}},
		{holder: wife, contract: "KD-D-2002", number: "NS-D-772002", product: policy.ProductAccident,
			starts: -10, ends: 354, premium: "18000.00", method: policy.PaymentInstallments, parts: 3, paid: 1,
			insured: []*person{wife}},

		// A client in Astana: any driver, ending in ten days, and a flat
		// whose cover ended a month ago.
		{holder: astana, contract: "KD-D-3001", number: "OGPO-D-773001", product: policy.ProductOGPOVTS, unlimited: true,
			starts: -354, ends: 10, premium: "42300.00", method: policy.PaymentBankTransfer, paidOn: -356, vehicle: sportage},
		{holder: astana, contract: "KD-D-3002", number: "PROP-D-773002", product: policy.ProductProperty,
			starts: -395, ends: -31, premium: "16500.00", method: policy.PaymentCard, paidOn: -396, insured: []*person{astana}},

		// The daughter: a trip that starts in two weeks.
		{holder: daughter, contract: "KD-D-4001", number: "VZR-D-774001", product: policy.ProductTravel,
			starts: 14, ends: 27, premium: "7200.00", method: policy.PaymentCard, insured: []*person{daughter}},
	}

	report := func(holder *person, number, contract, kind string, reported int, description string) *claimSpec {
		c := &claimSpec{holder: holder, number: number, contract: contract, kind: kind, reported: reported, description: description}
		ds.claims = append(ds.claims, c)
		return c
	}
	// One claim of the main client in each open stage and two closed ones.
	report(saparov, "VD-D-1001", "KD-D-1004", "glass", -1,
		"Трещина на лобовом стекле от камня на трассе Алматы — Капшагай")
	report(saparov, "VD-D-1002", "KD-D-1002", "road_accident", -9,
		"ДТП на перекрёстке пр. Абая и ул. Байзакова: повреждён задний бампер другого автомобиля").
		to(claim.StatusDocumentsRequested).ask("id_card", "police_report", "photos", "bank_details").got("id_card")
	report(saparov, "VD-D-1003", "KD-D-1004", "vandalism", -30,
		"Повреждена водительская дверь на парковке торгового центра").
		to(claim.StatusDocumentsRequested).ask("photos", "police_report").got("photos", "police_report").
		to(claim.StatusAppraisal)
	report(saparov, "VD-D-1004", "KD-D-1003", "flood", -25,
		"Залив квартиры соседями сверху: пострадали потолок и ламинат в спальне").
		to(claim.StatusDocumentsRequested).ask("photos", "inspection_act").got("photos", "inspection_act").
		to(claim.StatusAppraisal).to(claim.StatusPayoutDecision)
	report(saparov, "VD-D-1005", "KD-D-1001", "road_accident", -520,
		"Столкновение при перестроении на пр. Аль-Фараби, виновник — застрахованный водитель").
		to(claim.StatusDocumentsRequested).ask("id_card", "police_report", "bank_details").got("id_card", "police_report", "bank_details").
		to(claim.StatusAppraisal).to(claim.StatusPayoutDecision).
		status(&cabinet.ChangeClaimStatusRequest{Number: "VD-D-1005", Status: string(claim.StatusPaid), Payout: "185400.00", DecisionRef: "RV-D-1005"})
	report(saparov, "VD-D-1006", "KD-D-1005", "illness", -193,
		"Обращение к врачу в Стамбуле с температурой").
		to(claim.StatusDocumentsRequested).ask("medical_report", "receipts").got("medical_report", "receipts").
		to(claim.StatusAppraisal).to(claim.StatusPayoutDecision).
		status(&cabinet.ChangeClaimStatusRequest{Number: "VD-D-1006", Status: string(claim.StatusRefused), DecisionRef: "RV-D-1006",
			Reason: "Заболевание было известно до поездки, а договор такие случаи не покрывает"})
	report(wife, "VD-D-2001", "KD-D-2001", "road_accident", -20,
		"Наезд на ограждение при парковке во дворе").
		to(claim.StatusDocumentsRequested).ask("police_report", "photos").got("police_report", "photos")
	report(wife, "VD-D-2002", "KD-D-2001", "glass", -6,
		"Скол на лобовом стекле").
		status(&cabinet.ChangeClaimStatusRequest{Number: "VD-D-2002", Status: string(claim.StatusWithdrawn),
			Reason: "Клиент отремонтировал стекло за свой счёт"})
	report(astana, "VD-D-3001", "KD-D-3001", "road_accident", -4,
		"Столкновение на круговом движении у ТРЦ «Хан Шатыр»").
		to(claim.StatusDocumentsRequested).ask("bank_details")
	return ds
}

// calendar turns days from the day of the load into the API's dates, in
// Asia/Almaty, where the policy tabs are worked out.
type calendar struct {
	today  policy.Date
	almaty *time.Location
}

func newCalendar(now time.Time) (calendar, error) {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return calendar{}, fmt.Errorf("demo: load zone Asia/Almaty: %w", err)
	}
	return calendar{today: policy.DateOf(now.In(loc)), almaty: loc}, nil
}

func (c calendar) date(days int) cabinet.Date { return cabinet.Date(c.today.AddDays(days).String()) }

// at is a time of day on a day, in Asia/Almaty.
func (c calendar) at(days, hour, minute int) cabinet.DateTime {
	d := c.today.AddDays(days)
	return cabinet.DateTime(time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, c.almaty).Format(time.RFC3339))
}

// issue is the IssuePolicy request of a policy.
func (p policySpec) issue(c calendar) *cabinet.IssuePolicyRequest {
	req := &cabinet.IssuePolicyRequest{
		KIASContractID: p.contract, Number: p.number, Product: string(p.product), Insurer: insurer,
		StartsOn: c.date(p.starts), EndsOn: c.date(p.ends),
		Holder:           cabinet.PersonInput{Name: p.holder.name(), IIN: p.holder.iin},
		UnlimitedDrivers: p.unlimited, Vehicle: p.vehicle, Premium: cabinet.Money(p.premium),
		PaymentMethod: string(p.method), RenewsKIASContractID: p.renews,
	}
	for _, d := range p.drivers {
		req.Drivers = append(req.Drivers, cabinet.PersonInput{Name: d.p.name(), IIN: d.p.iin,
			KBM: &cabinet.KBMInput{Class: d.class, Coefficient: d.coef, AsOf: c.date(p.starts)}})
	}
	for _, in := range p.insured {
		req.InsuredPersons = append(req.InsuredPersons, cabinet.PersonInput{Name: in.name(), IIN: in.iin})
	}
	for i, amount := range p.schedule() {
		req.Installments = append(req.Installments, cabinet.InstallmentInput{
			Number: int64(i + 1), DueOn: c.date(p.due(i)), Amount: cabinet.Money(amount)})
	}
	return req
}

// due is the day the i-th installment (from 0) falls due.
func (p policySpec) due(i int) int { return p.starts + 30*i }

// schedule splits the premium into equal parts, the last taking the
// rounding; nil when the policy is not paid by installments.
func (p policySpec) schedule() []string {
	if p.parts == 0 {
		return nil
	}
	premium := decimal.RequireFromString(p.premium)
	part := premium.DivRound(decimal.NewFromInt(int64(p.parts)), 2)
	out := make([]string, p.parts)
	for i := range out {
		out[i] = part.StringFixed(2)
	}
	out[p.parts-1] = premium.Sub(part.Mul(decimal.NewFromInt(int64(p.parts - 1)))).StringFixed(2)
	return out
}

// payments are the RecordPayment requests of what the client has paid.
func (p policySpec) payments(c calendar) []*cabinet.RecordPaymentRequest {
	if p.parts == 0 {
		req := &cabinet.RecordPaymentRequest{KIASContractID: p.contract, PaymentRef: "PAY-" + p.contract, Amount: cabinet.Money(p.premium)}
		if p.paidOn < 0 {
			req.PaidAt = c.at(p.paidOn, 11, 20)
		}
		return []*cabinet.RecordPaymentRequest{req}
	}
	var out []*cabinet.RecordPaymentRequest
	for i, amount := range p.schedule()[:p.paid] {
		out = append(out, &cabinet.RecordPaymentRequest{KIASContractID: p.contract,
			PaymentRef: fmt.Sprintf("PAY-%s-%d", p.contract, i+1), Amount: cabinet.Money(amount),
			PaidAt: c.at(p.due(i), 9, 45), Installment: int64(i + 1)})
	}
	return out
}

// report is the ReportClaim request of a claim.
func (cl *claimSpec) report(c calendar) *cabinet.ReportClaimRequest {
	return &cabinet.ReportClaimRequest{Number: cl.number, KIASContractID: cl.contract, Kind: cl.kind,
		Description: cl.description, ReportedAt: c.at(cl.reported, 16, 5)}
}
