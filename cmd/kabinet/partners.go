package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/esbd"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/mail"
	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/adapters/sms"
)

// partnerConfig is how kabinet reaches its partners. A partner whose URL (or,
// for e-mail, host) is empty is replaced by its simulator.
type partnerConfig struct {
	KIASURL    string `env:"KABINET_KIAS_URL"`
	KIASAPIKey string `env:"KABINET_KIAS_API_KEY"`

	ESBDURL      string `env:"KABINET_ESBD_URL"`
	ESBDLogin    string `env:"KABINET_ESBD_LOGIN"`
	ESBDPassword string `env:"KABINET_ESBD_PASSWORD"`

	SMSURL      string `env:"KABINET_SMS_URL"`
	SMSLogin    string `env:"KABINET_SMS_LOGIN"`
	SMSPassword string `env:"KABINET_SMS_PASSWORD"`
	SMSAPIKey   string `env:"KABINET_SMS_API_KEY"`
	SMSSender   string `env:"KABINET_SMS_SENDER"`

	SMTPHost     string `env:"KABINET_SMTP_HOST"`
	SMTPPort     int    `env:"KABINET_SMTP_PORT" envDefault:"587"`
	SMTPUser     string `env:"KABINET_SMTP_USER"`
	SMTPPassword string `env:"KABINET_SMTP_PASSWORD"`
	SMTPFrom     string `env:"KABINET_SMTP_FROM"`

	PaymentsURL            string `env:"KABINET_PAYMENTS_URL"`
	PaymentsAPIKey         string `env:"KABINET_PAYMENTS_API_KEY"`
	PaymentsCallbackSecret string `env:"KABINET_PAYMENTS_CALLBACK_SECRET"`
}

// partners are the partner ports serve uses, real or simulated.
type partners struct {
	api       cabinet.Partners
	feed      kias.FeedSource
	mailer    reactions.Mailer
	payments  *payments.Simulator // set when the payment provider is simulated
	kiasSim   *kias.Simulator     // set when KIAS is simulated
	smsSim    *sms.Simulator      // set when the SMS gateway is simulated
	simulated []string
}

func newPartners(c partnerConfig, logger *slog.Logger) (partners, error) {
	var p partners
	var errs []error
	if c.KIASURL == "" {
		p.kiasSim = kias.NewSimulator()
		p.api.KIAS, p.feed = p.kiasSim, p.kiasSim
		p.simulated = append(p.simulated, "KIAS")
	} else if cl, err := kias.NewClient(kias.Config{BaseURL: c.KIASURL, APIKey: c.KIASAPIKey, Logger: logger}); err != nil {
		errs = append(errs, err)
	} else {
		p.api.KIAS, p.feed = cl, cl
	}
	if c.ESBDURL == "" {
		p.api.ESBD = esbd.NewSimulator()
		p.simulated = append(p.simulated, "ESBD")
	} else if cl, err := esbd.NewClient(esbd.Config{BaseURL: c.ESBDURL, Login: c.ESBDLogin, Password: c.ESBDPassword, Logger: logger}); err != nil {
		errs = append(errs, err)
	} else {
		p.api.ESBD = cl
	}
	if c.SMSURL == "" {
		p.smsSim = sms.NewSimulator()
		p.api.SMS = p.smsSim
		p.simulated = append(p.simulated, "SMS")
	} else if cl, err := sms.NewClient(sms.Config{URL: c.SMSURL, Login: c.SMSLogin, Password: c.SMSPassword,
		APIKey: c.SMSAPIKey, Sender: c.SMSSender, Logger: logger}); err != nil {
		errs = append(errs, err)
	} else {
		p.api.SMS = cl
	}
	if c.PaymentsURL == "" {
		p.payments = payments.NewSimulator("https://pay.example.kz")
		p.api.Payments = p.payments
		p.simulated = append(p.simulated, "payments")
	} else if cl, err := payments.NewClient(payments.Config{BaseURL: c.PaymentsURL, APIKey: c.PaymentsAPIKey, Logger: logger}); err != nil {
		errs = append(errs, err)
	} else {
		p.api.Payments = cl
	}
	if c.SMTPHost == "" {
		p.mailer = unsentMail{logger: logger}
		p.simulated = append(p.simulated, "e-mail")
	} else if m, err := mail.New(mail.Config{Host: c.SMTPHost, Port: c.SMTPPort, Username: c.SMTPUser,
		Password: c.SMTPPassword, From: c.SMTPFrom}); err != nil {
		errs = append(errs, err)
	} else {
		p.mailer = smtpMailer{m}
	}
	return p, errors.Join(errs...)
}

// smtpMailer sends the reactions' e-mail over SMTP.
type smtpMailer struct{ m *mail.Mailer }

func (s smtpMailer) Send(ctx context.Context, msg reactions.MailMessage) error {
	out := mail.Message{To: msg.To, Subject: msg.Subject, Text: msg.Text, IdempotencyKey: msg.IdempotencyKey}
	for _, a := range msg.Attachments {
		out.Attachments = append(out.Attachments, mail.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Content})
	}
	return s.m.Send(ctx, out)
}

// unsentMail stands in for SMTP when none is configured: a letter is
// noted in the log (by its key only, never its address or text) and counts
// as sent, so the SMS and the inbox still carry the notice.
type unsentMail struct{ logger *slog.Logger }

func (u unsentMail) Send(ctx context.Context, msg reactions.MailMessage) error {
	u.logger.InfoContext(ctx, "e-mail not sent: no SMTP server is configured", "message_key", msg.IdempotencyKey)
	return nil
}
