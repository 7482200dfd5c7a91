package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Almaty must resolve on hosts without a zone database

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/internal/ru"
)

// none stands for a value that is not known, so a blank never reads as
// "nothing".
const none = "—"

// funcs are the template functions: Russian formatting of the wire values
// (amounts and dates as internal/ru writes them everywhere else) and the
// Russian names of the codes the service answers with.
var funcs = template.FuncMap{
	"money":       formatMoney,
	"date":        formatDate,
	"datetime":    formatDateTime,
	"day":         formatDay,
	"points":      formatPoints,
	"signed":      formatSigned,
	"kb":          formatKB,
	"coefficient": formatCoefficient,
	"plural":      func(n int64, one, few, many string) string { return ru.Plural(int(n), one, few, many) },
	"product":     label(products),
	"payment":     label(paymentMethods),
	"standing":    label(standings),
	"stage":       label(stages),
	"claimKind":   label(claimKinds),
	"noticeKind":  label(noticeKinds),
	"bonusKind":   label(bonusKinds),
	"bonusReason": label(bonusReasons),
	"scanKind":    label(scanKinds),
	"idDocument":  label(idDocuments),
	"field":       field,
	"checked":     checked,
	"menuItem":    menuItem,
	"card":        card,
}

// almaty is the zone the client's times are shown in.
var almaty = sync.OnceValue(func() *time.Location {
	if l, err := time.LoadLocation("Asia/Almaty"); err == nil {
		return l
	}
	return time.FixedZone("Asia/Almaty", 5*60*60)
})

// formatMoney writes "12 345,67 ₸" with no-break spaces, so that a
// narrow screen never breaks an amount.
func formatMoney(m cabinet.Money) string {
	if m == "" {
		return none
	}
	v, err := money.Parse(string(m))
	if err != nil {
		return string(m)
	}
	return ru.Money(v, '\u00a0')
}

// formatDate writes DD.MM.YYYY.
func formatDate(d cabinet.Date) string {
	v, err := policy.ParseDate(string(d))
	if err != nil {
		return none
	}
	return ru.Date(v)
}

func parseTime(t cabinet.DateTime) (time.Time, bool) {
	v, err := time.Parse(time.RFC3339, string(t))
	if err != nil {
		return time.Time{}, false
	}
	return v.In(almaty()), true
}

// formatDateTime writes DD.MM.YYYY HH:MM in Almaty time.
func formatDateTime(t cabinet.DateTime) string {
	v, ok := parseTime(t)
	if !ok {
		return none
	}
	return v.Format("02.01.2006 15:04")
}

// formatDay writes the Almaty day of a moment, DD.MM.YYYY.
func formatDay(t cabinet.DateTime) string {
	v, ok := parseTime(t)
	if !ok {
		return none
	}
	return v.Format("02.01.2006")
}

// formatPoints writes a number of points with its noun: "1 250 баллов".
func formatPoints(n int64) string {
	return group(n) + "\u00a0" + ru.Plural(int(n), "балл", "балла", "баллов")
}

// formatSigned writes a change of points with its sign: "+120", "−50".
func formatSigned(n int64) string {
	switch {
	case n > 0:
		return "+" + group(n)
	case n < 0:
		return "−" + group(-n)
	}
	return "0"
}

// group writes an integer with no-break spaces between thousands.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "−", rest
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// formatKB writes a file size in whole kilobytes, at least 1.
func formatKB(n int64) string { return fmt.Sprintf("%d\u00a0КБ", max((n+1023)/1024, 1)) }

// formatCoefficient writes a decimal with a comma, as Russian texts do.
func formatCoefficient(c string) string { return strings.Replace(c, ".", ",", 1) }

// label returns the function that names a code in Russian; a code the table
// does not know is shown as it is rather than hidden.
func label(names map[string]string) func(string) string {
	return func(code string) string {
		if n, ok := names[code]; ok {
			return n
		}
		if code == "" {
			return none
		}
		return code
	}
}

var (
	products = map[string]string{
		"ogpo_vts": "ОГПО ВТС", "kasko": "КАСКО", "travel": "Страхование путешественников",
		"property": "Страхование имущества", "accident": "Страхование от несчастных случаев",
	}
	paymentMethods = map[string]string{
		"card": "банковская карта", "kaspi": "Kaspi", "bank_transfer": "банковский перевод",
		"cash": "наличными", "installments": "в рассрочку",
	}
	standings = map[string]string{
		"upcoming": "ещё не вступил в силу", "in_force": "действует", "ended": "срок действия истёк", "cancelled": "расторгнут",
	}
	stages = map[string]string{
		"reported": "заявление принято", "documents_requested": "нужны документы", "documents_complete": "документы получены",
		"appraisal": "оценка ущерба", "payout_decision": "решение о выплате", "paid": "выплата произведена",
		"refused": "в выплате отказано", "withdrawn": "заявление отозвано",
	}
	claimKinds = map[string]string{
		"road_accident": "ДТП", "dtp": "ДТП", "theft": "угон или кража", "fire": "пожар", "flood": "затопление",
		"natural_disaster": "стихийное бедствие", "glass": "повреждение стекла", "injury": "травма",
		"illness": "болезнь", "baggage": "багаж", "luggage": "багаж", "vandalism": "противоправные действия третьих лиц",
	}
	noticeKinds = map[string]string{
		"expiring_policy": "истекает полис", "installment_due": "очередной платёж", "claim_status": "страховой случай",
		"missing_documents": "нужны документы", "bonus": "бонусы", "registration": "регистрация",
		"access_code": "код доступа", "phone_changed": "смена телефона",
	}
	bonusKinds = map[string]string{
		"accrued": "начисление", "spent": "списание", "reversed": "возврат начисления", "expired": "сгорание",
	}
	bonusReasons = map[string]string{"purchase": "покупка полиса"}
	scanKinds    = map[string]string{
		"id_card": "Удостоверение личности", "driving_licence": "Водительское удостоверение",
		"vehicle_registration": "Техпаспорт автомобиля", "passport": "Загранпаспорт",
	}
	idDocuments = map[string]string{"id_card": "Удостоверение личности", "passport": "Паспорт"}
)

// Field is one labelled input of a form, as the "field" part draws it.
type Field struct {
	Name, Label, Value, Error string
	Type                      string // text unless an option says otherwise
	Autocomplete, Inputmode   string
	Hint                      string
	Required                  bool
}

// field builds a Field: field "login" "Логин" value errors "type=tel"
// "autocomplete=username" "required" "hint=…".
func field(name, label string, value any, errs Errors, opts ...string) Field {
	f := Field{Name: name, Label: label, Value: fmt.Sprint(value), Error: errs[name], Type: "text"}
	if value == nil {
		f.Value = ""
	}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			f.Type = v
		case "autocomplete":
			f.Autocomplete = v
		case "inputmode":
			f.Inputmode = v
		case "hint":
			f.Hint = v
		case "required":
			f.Required = true
		default:
			panic("web: field option " + o)
		}
	}
	return f
}

// checked marks a checkbox that is on.
func checked(on bool) template.HTMLAttr {
	if on {
		return "checked"
	}
	return ""
}

// menuItem is an item of the site's menu, marked when it is the page's section.
func menuItem(v view, section, href, title string) struct {
	Href, Title string
	Current     bool
} {
	return struct {
		Href, Title string
		Current     bool
	}{href, title, v.Section == section}
}

// policyCard is a policy in a list with the CSRF token of its forms.
type policyCard struct {
	Policy cabinet.PolicySummary
	CSRF   string
}

func card(v view, p cabinet.PolicySummary) policyCard { return policyCard{Policy: p, CSRF: v.CSRF} }
