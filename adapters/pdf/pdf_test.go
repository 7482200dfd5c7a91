package pdf

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/projections/policies"
)

// generatedAt is 10:30 in Almaty (UTC+5).
var generatedAt = time.Date(2025, time.March, 15, 5, 30, 0, 0, time.UTC)

func motorPolicy() policies.Details {
	kbm := func(class, coef, asOf string) *policies.KBM {
		return &policies.KBM{Class: class, Coefficient: decimal.RequireFromString(coef), AsOf: policy.MustParseDate(asOf)}
	}
	return policies.Details{
		Summary: policies.Summary{
			PolicyID:      uuid.MustParse("0195a1b2-0000-7000-8000-000000000001"),
			Number:        "ОГПО-2025-0001234",
			Product:       policy.ProductOGPOVTS,
			Insurer:       "АО «Страховая компания Номад»",
			StartsOn:      policy.MustParseDate("2025-03-01"),
			EndsOn:        policy.MustParseDate("2026-02-28"),
			LastDay:       policy.MustParseDate("2026-02-28"),
			Premium:       money.MustParse("45678.90"),
			Paid:          money.MustParse("15226.30"),
			PaymentMethod: policy.PaymentInstallments,
			Vehicle:       policy.Vehicle{Make: "Toyota", Model: "Camry", Plate: "123ABC02", VIN: "JTNB11HK103456789", Year: 2019},
			Standing:      policies.InForce,
			Bucket:        policies.Active,
		},
		Holder: policies.Person{Name: "Жаксылыков Нурлан Серикович", MaskedIIN: "9001******03"},
		Drivers: []policies.Person{
			{Name: "Жаксылыков Нурлан Серикович", MaskedIIN: "9001******03", KBM: kbm("M", "2.45", "2025-02-20")},
			// A name longer than its column, with a word that cannot be broken at a space.
			{Name: "Ахметова-Сулейменова-Кайратовна-Абдрахмановна Гульнара", MaskedIIN: "8507******41", KBM: kbm("3", "0.95", "2025-02-20")},
		},
		Outstanding: money.MustParse("30452.60"),
		Installments: []policies.Installment{
			{Number: 1, DueOn: policy.MustParseDate("2025-03-01"), Amount: money.MustParse("15226.30"), Paid: true, PaymentRef: "KSP-77", PaidAt: time.Date(2025, 2, 28, 20, 0, 0, 0, time.UTC)},
			{Number: 2, DueOn: policy.MustParseDate("2025-07-01"), Amount: money.MustParse("15226.30")},
			{Number: 3, DueOn: policy.MustParseDate("2025-11-01"), Amount: money.MustParse("15226.30")},
		},
		Payments: []policies.Payment{
			{Ref: "KSP-77", Amount: money.MustParse("15226.30"), PaidAt: time.Date(2025, 2, 28, 20, 0, 0, 0, time.UTC)},
		},
		IssuedAt: time.Date(2025, 2, 28, 19, 0, 0, 0, time.UTC),
	}
}

// pdfText extracts the text of a PDF the way a reader would copy it.
func pdfText(t testing.TB, doc []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	require.NoError(t, err, "pdftotext is needed to read the rendered PDF: install poppler-utils (apt-get install poppler-utils)")
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "pdftotext: %s", stderr.String())
	return string(out)
}

func TestPolicyPrintsTheDetails(t *testing.T) {
	doc, err := Policy(motorPolicy(), generatedAt)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(doc, []byte("%PDF-")), "not a PDF")

	text := pdfText(t, doc)
	for _, want := range []string{
		"Страховой полис",
		"ОГПО ВТС",
		"№ ОГПО-2025-0001234",
		"АО «Страховая компания Номад»",
		"Жаксылыков Нурлан Серикович",
		"9001******03",
		"с 01.03.2025 по 28.02.2026",
		"Дата выдачи:", "01.03.2025", // 19:00 UTC is already the next day in Almaty
		"действует",
		"Toyota Camry", "123ABC02", "JTNB11HK103456789", "2019",
		"45 678,90 ₸",  // premium
		"15 226,30 ₸",  // paid, and each installment
		"30 452,60 ₸",  // outstanding
		"в рассрочку",  // payment method
		"2,45", "0,95", // KBM coefficients
		"20.02.2025", // KBM as of
		"01.07.2025", "01.11.2025",
		"оплачен 01.03.2025", "не оплачен",
		"KSP-77",
		"Сформирован 15.03.2025 10:30 (время Алматы)",
		"Стр. 1 из 1",
	} {
		assert.Contains(t, text, want)
	}
	assert.Regexp(t, `Класс КБМ`, text)
	assert.Regexp(t, `(?m)Нурлан Серикович\s+9001\*{6}03\s+M\s+2,45`, text, "the holder's KBM class M is in the drivers table")
	assert.Regexp(t, `(?m)8507\*{6}41\s+3\s+0,95`, text, "the second driver's KBM class 3 is in the drivers table")
	assert.NotContains(t, text, "без ограничения")
	assert.NotContains(t, text, "Расторжение")
}

func TestPolicyWrapsALongNameInsideItsCell(t *testing.T) {
	text := pdfText(t, mustRender(t, motorPolicy()))

	// The double-barrelled name breaks after a hyphen and goes on below,
	// instead of running into the IIN column.
	assert.Regexp(t, `(?m)^\s*Ахметова-Сулейменова-Кайратовна-\s+8507\*{6}41\s+3\s+0,95`, text)
	assert.Regexp(t, `(?m)^\s*Абдрахмановна Гульнара\s*$`, text)
}

func TestPolicyUnlimitedDriversAndCancellation(t *testing.T) {
	d := motorPolicy()
	d.UnlimitedDrivers = true
	d.Standing = policies.Cancelled
	d.Cancellation = &policies.Cancellation{Reason: "по заявлению страхователя", EffectiveOn: policy.MustParseDate("2025-06-10")}

	text := pdfText(t, mustRender(t, d))
	assert.Contains(t, text, "без ограничения")
	assert.Contains(t, text, "Расторжение")
	assert.Contains(t, text, "10.06.2025")
	assert.Contains(t, text, "по заявлению страхователя")
	assert.Contains(t, text, "расторгнут")
	assert.NotContains(t, text, "8507******41", "no drivers table when anyone may drive")
}

func TestPolicyRendersMinimalDetails(t *testing.T) {
	for name, d := range map[string]policies.Details{
		"zero value": {},
		"travel without vehicle, drivers or installments": {Summary: policies.Summary{
			Number: "ВЗР-1", Product: policy.ProductTravel, Insurer: "АО «Номад»",
			StartsOn: policy.MustParseDate("2025-04-01"), EndsOn: policy.MustParseDate("2025-04-14"),
			Premium: money.MustParse("5000"), Paid: money.MustParse("5000"), PaymentMethod: policy.PaymentCard,
		}},
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := Policy(d, generatedAt)
			require.NoError(t, err)
			text := pdfText(t, doc)
			assert.Contains(t, text, "Страховой полис")
			assert.Contains(t, text, "0,00 ₸")
			assert.NotContains(t, text, "Транспортное средство")
			assert.NotContains(t, text, "График платежей")
			assert.NotContains(t, text, "Лица, допущенные к управлению")
		})
	}
}

func TestPolicyBreaksLongTablesAcrossPages(t *testing.T) {
	d := motorPolicy()
	d.Installments = nil
	for i := range 60 {
		d.Installments = append(d.Installments, policies.Installment{
			Number: i + 1, DueOn: policy.MustParseDate("2025-03-01").AddDays(7 * i), Amount: money.MustParse("761.31"),
		})
	}
	text := pdfText(t, mustRender(t, d))
	assert.Contains(t, text, "Стр. 1 из 3")
	assert.Contains(t, text, "Стр. 3 из 3")
	assert.Equal(t, 3, strings.Count(text, "Срок оплаты"), "the header repeats on every page the table continues on")
	assert.Contains(t, text, "\f", "pages are separated")
}

func TestPolicyIsDeterministic(t *testing.T) {
	a := mustRender(t, motorPolicy())
	b := mustRender(t, motorPolicy())
	assert.True(t, bytes.Equal(a, b), "the same details and now give different bytes")
}

func mustRender(t testing.TB, d policies.Details) []byte {
	t.Helper()
	doc, err := Policy(d, generatedAt)
	require.NoError(t, err)
	return doc
}

func BenchmarkPolicy(b *testing.B) {
	d := motorPolicy()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Policy(d, generatedAt); err != nil {
			b.Fatal(err)
		}
	}
}
