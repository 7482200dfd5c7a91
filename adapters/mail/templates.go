package mail

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

// The notices below hold only what the letter needs: numbers, dates and
// amounts, never the client's name, IIN or phone, since e-mail travels
// further than kabinet can see. Each has a Message method that writes the
// Russian text and its HTML twin.

// ExpiringPolicy reminds a client that a policy ends soon (30, 7 and 1 days
// before), or that auto-prolongation has prepared the renewal draft.
type ExpiringPolicy struct {
	To           string
	PolicyNumber string
	Product      policy.Product
	EndsOn       policy.Date // the last day of cover
	DaysLeft     int         // days from today, in Asia/Almaty, to EndsOn
	RenewalDraft bool        // auto-prolongation has prepared a renewal to check and pay
	CabinetURL   string      // where the client renews; optional
	PolicyPDF    []byte      // the policy document, attached when given

	IdempotencyKey string // see Message.IdempotencyKey
}

// Message writes the letter.
func (n ExpiringPolicy) Message() Message {
	name := "Полис " + productName(n.Product) + " № " + n.PolicyNumber
	l := letter{Subject: name + " заканчивается " + inDays(n.DaysLeft)}
	if n.RenewalDraft {
		l.Subject = name + ": подготовлено продление"
	}
	l.para(name + " действует по " + formatDate(n.EndsOn) + " включительно — срок заканчивается " +
		inDays(n.DaysLeft) + ".")
	if n.RenewalDraft {
		l.para("У вас включена автопролонгация, поэтому мы подготовили проект нового полиса на следующий срок. " +
			"Проверьте данные и оплатите его в личном кабинете до окончания действующего полиса.")
	} else {
		l.para("Чтобы не остаться без страховой защиты, продлите полис в личном кабинете заранее.")
	}
	if n.Product == policy.ProductOGPOVTS {
		l.para("Напоминаем, что управлять автомобилем без действующего полиса ОГПО ВТС нельзя.")
	}
	var files []Attachment
	if len(n.PolicyPDF) > 0 {
		l.para("Действующий полис — во вложении.")
		files = append(files, Attachment{Name: "polis-" + fileSafe(n.PolicyNumber) + ".pdf",
			ContentType: "application/pdf", Data: n.PolicyPDF})
	}
	l.link("Открыть личный кабинет", n.CabinetURL)
	m := l.message(n.To, n.IdempotencyKey)
	m.Attachments = files
	return m
}

// InstallmentDue reminds a client of an installment that falls due.
type InstallmentDue struct {
	To           string
	PolicyNumber string
	Product      policy.Product
	Installment  int // the installment's number, from 1; 0 leaves it out
	Amount       money.KZT
	DueOn        policy.Date
	DaysLeft     int    // days from today, in Asia/Almaty, to DueOn
	PayURL       string // the payment link; optional

	IdempotencyKey string // see Message.IdempotencyKey
}

// Message writes the letter.
func (n InstallmentDue) Message() Message {
	which := "очередной взнос"
	if n.Installment > 0 {
		which = strconv.Itoa(n.Installment) + "-й взнос"
	}
	l := letter{Subject: "Оплатите " + which + " по полису № " + n.PolicyNumber + " до " + formatDate(n.DueOn)}
	l.para("Напоминаем: по полису " + productName(n.Product) + " № " + n.PolicyNumber + " подходит срок оплаты — " +
		which + " " + formatMoney(n.Amount) + " нужно внести до " + formatDate(n.DueOn) + " (" + inDays(n.DaysLeft) + ").")
	l.para("Оплатить взнос можно в личном кабинете или по ссылке ниже. Если вы уже оплатили, не обращайте внимания на это письмо.")
	l.link("Оплатить взнос", n.PayURL)
	return l.message(n.To, n.IdempotencyKey)
}

// ClaimStatus tells a client that their claim has moved to another stage.
// A refusal's reason stays in the cabinet, behind the client's login.
type ClaimStatus struct {
	To          string
	ClaimNumber string
	Status      claim.Status
	Payout      money.KZT // the amount paid, with claim.StatusPaid
	CabinetURL  string    // the claim in the cabinet; optional

	IdempotencyKey string // see Message.IdempotencyKey
}

// Message writes the letter.
func (n ClaimStatus) Message() Message {
	status := statusText(n.Status)
	l := letter{Subject: "Страховой случай № " + n.ClaimNumber + ": " + status}
	l.para("Статус вашего страхового случая № " + n.ClaimNumber + " изменился: " + status + ".")
	switch {
	case n.Status == claim.StatusPaid && n.Payout.IsPositive():
		l.para("Сумма выплаты — " + formatMoney(n.Payout) + ". Деньги поступят на счёт, указанный в заявлении, " +
			"в сроки, которые установил ваш банк.")
	case n.Status == claim.StatusRefused:
		l.para("Решение и его основания — в личном кабинете. Если вы с ним не согласны, там же можно подать обращение.")
	case n.Status == claim.StatusDocumentsRequested:
		l.para("Список документов, которые нужно загрузить, — в личном кабинете.")
	default:
		l.para("Подробности — в личном кабинете.")
	}
	l.link("Открыть страховой случай", n.CabinetURL)
	return l.message(n.To, n.IdempotencyKey)
}

// MissingDocuments asks a client for the documents a claim still needs.
type MissingDocuments struct {
	To          string
	ClaimNumber string
	Documents   []string // the documents' titles as the client is shown them
	CabinetURL  string   // where to upload them; optional

	IdempotencyKey string // see Message.IdempotencyKey
}

// Message writes the letter.
func (n MissingDocuments) Message() Message {
	l := letter{Subject: "Страховой случай № " + n.ClaimNumber + ": не хватает документов"}
	var titles []string
	for _, d := range n.Documents {
		if d = strings.TrimSpace(d); d != "" {
			titles = append(titles, d)
		}
	}
	if len(titles) == 0 {
		l.para("Чтобы мы продолжили рассмотрение страхового случая № " + n.ClaimNumber +
			", нужны дополнительные документы. Их список — в личном кабинете.")
	} else {
		l.para("Чтобы мы продолжили рассмотрение страхового случая № " + n.ClaimNumber +
			", загрузите, пожалуйста, " + plural(len(titles), "документ", "документы", "документы") + ":")
		l.list(titles)
	}
	l.para("Сфотографируйте или отсканируйте документы и приложите их к заявлению в личном кабинете.")
	l.link("Загрузить документы", n.CabinetURL)
	return l.message(n.To, n.IdempotencyKey)
}

// letter is the shape every notice shares: a greeting, paragraphs and
// lists, one link and the signature.
type letter struct {
	Subject string
	Blocks  []block
	Link    link
}

type block struct {
	Text  string
	Items []string
}

type link struct {
	Text string
	URL  string
}

const (
	greeting  = "Здравствуйте!"
	signature = "С уважением,\nслужба заботы о клиентах"
	automatic = "Это письмо отправлено автоматически, отвечать на него не нужно."
)

func (l *letter) para(s string)         { l.Blocks = append(l.Blocks, block{Text: s}) }
func (l *letter) list(items []string)   { l.Blocks = append(l.Blocks, block{Items: items}) }
func (l *letter) link(text, raw string) { l.Link = link{Text: text, URL: webURL(raw)} }

// message renders the letter as text and as HTML.
func (l letter) message(to, key string) Message {
	var t strings.Builder
	t.WriteString(greeting + "\n\n")
	for _, b := range l.Blocks {
		if b.Text != "" {
			t.WriteString(b.Text + "\n\n")
		}
		if len(b.Items) > 0 {
			for _, it := range b.Items {
				t.WriteString("— " + it + "\n")
			}
			t.WriteString("\n")
		}
	}
	if l.Link.URL != "" {
		t.WriteString(l.Link.Text + ": " + l.Link.URL + "\n\n")
	}
	t.WriteString(signature + "\n\n" + automatic + "\n")

	var h strings.Builder
	// The template is fixed and its data are strings, so it cannot fail
	// short of a broken writer, and a strings.Builder never breaks.
	_ = page.Execute(&h, l)
	return Message{To: to, Subject: l.Subject, Text: t.String(), HTML: h.String(), IdempotencyKey: key}
}

var page = template.Must(template.New("letter").Funcs(template.FuncMap{
	"signature": func() []string { return strings.Split(signature, "\n") },
}).Parse(`<!DOCTYPE html>
<html lang="ru">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #222;">
<p>` + greeting + `</p>
{{range .Blocks}}{{if .Text}}<p>{{.Text}}</p>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{end}}{{if .Link.URL}}<p><a href="{{.Link.URL}}">{{.Link.Text}}</a></p>
{{end}}<p>{{range $i, $l := signature}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>
<p style="color: #888; font-size: 13px;">` + automatic + `</p>
</body>
</html>
`))

// webURL returns raw if it is an absolute http or https address, and ""
// otherwise, so a letter never links anywhere else.
func webURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}

// fileSafe keeps the Latin letters, digits, dashes and underscores of s,
// one dash standing for each run of anything else, so a policy number makes
// a file name that needs no encoding.
func fileSafe(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			gap = false
			b.WriteRune(r)
		default:
			gap = true
		}
	}
	if b.Len() == 0 {
		return "document"
	}
	return b.String()
}
