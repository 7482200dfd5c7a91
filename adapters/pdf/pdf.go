// Package pdf renders the policy document a client downloads from the
// cabinet: an A4 PDF in Russian built with fpdf.
//
// The text is set in DejaVu Sans, embedded in the binary (see fonts/LICENSE),
// because fpdf's core fonts have no Cyrillic and print garbage without an
// error, and the host may have no fonts installed. Only the glyphs a document
// uses are embedded in it.
//
// Apart from the "сформирован" timestamp and the PDF creation date, both
// taken from the caller's now, the same details always give the same bytes.
package pdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Almaty must resolve on hosts without a zone database

	"codeberg.org/go-pdf/fpdf"

	"github.com/kabinet/kabinet/projections/policies"
)

var (
	//go:embed fonts/DejaVuSans.ttf
	regularFont []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	boldFont []byte
)

// family is the name the embedded fonts are registered under.
const family = "DejaVu"

var almaty = sync.OnceValues(func() (*time.Location, error) { return time.LoadLocation("Asia/Almaty") })

// Policy renders the policy document. now is when it is generated; the
// document prints it in Asia/Almaty time.
func Policy(d policies.Details, now time.Time) ([]byte, error) {
	loc, err := almaty()
	if err != nil {
		return nil, fmt.Errorf("load zone Asia/Almaty: %w", err)
	}
	now = now.In(loc)

	f := newDocument(now)
	f.SetTitle("Страховой полис № "+d.Number, true)
	f.SetAuthor(d.Insurer, true)
	f.SetFooterFunc(func() {
		f.SetY(-bottomMargin + 6)
		f.SetFont(family, "", 8)
		f.SetTextColor(100, 100, 100)
		f.CellFormat(contentWidth/2, 4, "Сформирован "+now.Format("02.01.2006 15:04")+" (время Алматы)", "", 0, "L", false, 0, "")
		f.CellFormat(contentWidth/2, 4, fmt.Sprintf("Стр. %d из {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()

	writePolicy(layout{f: f}, d, loc)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("render policy document: %w", err)
	}
	return buf.Bytes(), nil
}

// newDocument sets up an empty A4 document with the fonts registered.
func newDocument(now time.Time) *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	// The page-count alias changes how fonts are subset, so it comes before them.
	f.AliasNbPages("{nb}")
	f.AddUTF8FontFromBytes(family, "", regularFont)
	f.AddUTF8FontFromBytes(family, "B", boldFont)
	f.SetMargins(pageMargin, pageMargin, pageMargin)
	f.SetAutoPageBreak(true, bottomMargin)
	f.SetCellMargin(1)
	f.SetDrawColor(150, 150, 150)
	f.SetFillColor(235, 235, 235)
	f.SetLang("ru-RU")
	f.SetCreator("kabinet", true)
	f.SetCompression(true)
	f.SetCatalogSort(true) // resources in a fixed order, so equal input gives equal bytes
	f.SetCreationDate(now)
	f.SetModificationDate(now)
	return f
}

// writePolicy lays out the policy from top to bottom.
func writePolicy(l layout, d policies.Details, loc *time.Location) {
	f := l.f
	f.SetFont(family, "B", 18)
	f.CellFormat(contentWidth, 9, "Страховой полис", "", 1, "C", false, 0, "")
	if name := productName(d.Product); name != "" {
		f.SetFont(family, "B", 14)
		l.centred(name, 7)
	}
	f.SetFont(family, "", 12)
	l.centred("№ "+orNone(d.Number), 6)
	f.Ln(3)

	l.field("Страховщик", d.Insurer)
	l.field("Срок страхования", formatTerm(d.StartsOn, d.EndsOn))
	if !d.IssuedAt.IsZero() {
		l.field("Дата выдачи", formatDay(d.IssuedAt, loc))
	}
	l.field("Статус", standingName(d.Standing))

	if c := d.Cancellation; c != nil {
		l.heading("Расторжение")
		l.field("Не действует с", formatDate(c.EffectiveOn))
		l.field("Причина", c.Reason)
	}

	l.heading("Страхователь")
	l.field("ФИО", d.Holder.Name)
	l.field("ИИН", d.Holder.MaskedIIN)
	if k := d.Holder.KBM; k != nil {
		l.field("Класс КБМ", fmt.Sprintf("%s (коэффициент %s на %s)", orNone(k.Class), formatCoefficient(k.Coefficient), formatDate(k.AsOf)))
	}

	if len(d.InsuredPersons) > 0 {
		l.heading("Застрахованные лица")
		l.table(personColumns, personRows(d.InsuredPersons))
	}

	switch {
	case d.UnlimitedDrivers:
		l.heading("Лица, допущенные к управлению")
		l.paragraph("без ограничения")
	case len(d.Drivers) > 0:
		l.heading("Лица, допущенные к управлению")
		l.table(personColumns, personRows(d.Drivers))
	}

	if v := d.Vehicle; !v.IsZero() {
		l.heading("Транспортное средство")
		l.field("Марка, модель", strings.TrimSpace(v.Make+" "+v.Model))
		l.field("Гос. номер", v.Plate)
		l.field("VIN", v.VIN)
		year := ""
		if v.Year > 0 {
			year = fmt.Sprint(v.Year)
		}
		l.field("Год выпуска", year)
	}

	l.heading("Оплата")
	l.field("Страховая премия", formatMoney(d.Premium))
	l.field("Оплачено", formatMoney(d.Paid))
	l.field("Осталось оплатить", formatMoney(d.Outstanding))
	l.field("Способ оплаты", paymentMethodName(d.PaymentMethod))

	if len(d.Installments) > 0 {
		l.heading("График платежей")
		rows := make([][]string, len(d.Installments))
		for i, in := range d.Installments {
			rows[i] = []string{fmt.Sprint(in.Number), formatDate(in.DueOn), formatMoney(in.Amount), installmentState(in, loc)}
		}
		l.table(installmentColumns, rows)
	}

	if len(d.Payments) > 0 {
		l.heading("Поступившие платежи")
		rows := make([][]string, len(d.Payments))
		for i, p := range d.Payments {
			rows[i] = []string{formatDay(p.PaidAt, loc), formatMoney(p.Amount), orNone(p.Ref)}
		}
		l.table(paymentColumns, rows)
	}
}

var (
	personColumns = []column{
		{title: "ФИО", width: 70, align: "L"},
		{title: "ИИН", width: 28, align: "L"},
		{title: "Класс КБМ", width: 24, align: "L"},
		{title: "Коэффициент", width: 28, align: "R"},
		{title: "КБМ на дату", width: 30, align: "L"},
	}
	installmentColumns = []column{
		{title: "№", width: 15, align: "L"},
		{title: "Срок оплаты", width: 40, align: "L"},
		{title: "Сумма", width: 50, align: "R"},
		{title: "Статус", width: 75, align: "L"},
	}
	paymentColumns = []column{
		{title: "Дата", width: 40, align: "L"},
		{title: "Сумма", width: 50, align: "R"},
		{title: "Номер платежа", width: 90, align: "L"},
	}
)

// personRows are the rows of the insured persons or drivers table.
func personRows(people []policies.Person) [][]string {
	rows := make([][]string, len(people))
	for i, p := range people {
		class, coef, asOf := none, none, none
		if k := p.KBM; k != nil {
			class, coef, asOf = orNone(k.Class), formatCoefficient(k.Coefficient), formatDate(k.AsOf)
		}
		rows[i] = []string{orNone(p.Name), orNone(p.MaskedIIN), class, coef, asOf}
	}
	return rows
}
