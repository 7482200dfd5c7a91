package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/mail"
)

const (
	fromHeader = "Страховая компания <noreply@insurer.example.kz>"
	clientAddr = "ivanova.aigerim@example.kz"
)

// config is a Config for s: STARTTLS trusting the test certificate, AUTH PLAIN.
func config(s *testServer) mail.Config {
	return mail.Config{
		Host: s.Host, Port: s.Port, Username: testUser, Password: testPassword,
		From: fromHeader, RootCAs: s.Roots, Timeout: 5 * time.Second, HELO: "kabinet.test",
	}
}

func newMailer(t *testing.T, cfg mail.Config) *mail.Mailer {
	t.Helper()
	m, err := mail.New(cfg)
	require.NoError(t, err)
	return m
}

// pdfBytes look like a PDF and hold every byte value, so a broken base64
// or a text-mode conversion shows.
func pdfBytes() []byte {
	b := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	for i := range 3 * 256 {
		b = append(b, byte(i))
	}
	return append(b, "\r\n%%EOF\n"...)
}

// part is a leaf of a parsed MIME message, its body decoded.
type part struct {
	ContentType string
	Params      map[string]string
	Disposition string
	FileName    string
	Body        []byte
}

// parse reads a message as a mail client would: net/mail for the header,
// mime.WordDecoder for the subject, multipart readers for the parts.
func parse(t *testing.T, data []byte) (netmail.Header, string, []part) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	parts := walk(t, msg.Header, msg.Body)
	return msg.Header, subject, parts
}

// header is what netmail.Header and a part's textproto.MIMEHeader share.
type header interface{ Get(string) string }

func walk(t *testing.T, h header, body io.Reader) []part {
	t.Helper()
	ct, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	if strings.HasPrefix(ct, "multipart/") {
		var out []part
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				return out
			}
			require.NoError(t, err)
			out = append(out, walk(t, p.Header, p)...)
		}
	}
	raw, err := io.ReadAll(body)
	require.NoError(t, err)
	var decoded []byte
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		decoded, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
		require.NoError(t, err)
	case "quoted-printable":
		decoded, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		require.NoError(t, err)
	default:
		decoded = raw
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	return []part{{ContentType: ct, Params: params, Disposition: disp, FileName: dparams["filename"], Body: decoded}}
}

func TestSendDeliversARussianLetterWithThePolicyPDFOverSTARTTLS(t *testing.T) {
	srv := startServer(t, serverOptions{})
	m := newMailer(t, config(srv))
	pdf := pdfBytes()
	msg := mail.Message{
		To:      clientAddr,
		Subject: "Полис ОГПО ВТС № OGPO-2025-000123 заканчивается через 7 дней",
		Text: "Полис ОГПО ВТС № OGPO-2025-000123 действует по 31.03.2025 включительно.\n\n" +
			"Открыть личный кабинет: https://cabinet.example.kz/policies/42\n",
		HTML:        `<p>Полис ОГПО ВТС № OGPO-2025-000123 действует по 31.03.2025 включительно.</p><p><a href="https://cabinet.example.kz/policies/42">Открыть личный кабинет</a></p>`,
		Attachments: []mail.Attachment{{Name: "polis-OGPO-2025-000123.pdf", ContentType: "application/pdf", Data: pdf}},
	}

	require.NoError(t, m.Send(t.Context(), msg))

	got := srv.Messages()
	require.Len(t, got, 1)
	assert.True(t, got[0].TLS, "the message travelled over STARTTLS")
	assert.Equal(t, []bool{true}, srv.Auths(), "one AUTH, over TLS")
	assert.Equal(t, "noreply@insurer.example.kz", got[0].From)
	assert.Equal(t, []string{clientAddr}, got[0].To)

	head, _, _ := bytes.Cut(got[0].Data, []byte("\r\n\r\n"))
	for _, b := range head {
		require.Less(t, b, byte(0x80), "the header is 7-bit: Cyrillic goes as RFC 2047 encoded words")
	}
	h, subject, parts := parse(t, got[0].Data)
	assert.Equal(t, "Полис ОГПО ВТС № OGPO-2025-000123 заканчивается через 7 дней", subject)
	assert.Equal(t, msg.Subject, subject)
	assert.Contains(t, h.Get("Subject"), "=?UTF-8?", "the subject is an encoded word")
	from, err := netmail.ParseAddress(h.Get("From"))
	require.NoError(t, err)
	assert.Equal(t, "Страховая компания", from.Name)
	assert.Equal(t, "noreply@insurer.example.kz", from.Address)
	assert.NotEmpty(t, h.Get("Message-Id"))
	assert.NotEmpty(t, h.Get("Date"))

	require.Len(t, parts, 3, "text, HTML and the PDF")
	text, html, file := parts[0], parts[1], parts[2]
	assert.Equal(t, "text/plain", text.ContentType)
	assert.Equal(t, "UTF-8", strings.ToUpper(text.Params["charset"]))
	assert.Contains(t, string(text.Body), "Полис ОГПО ВТС № OGPO-2025-000123 действует по 31.03.2025 включительно")
	assert.Contains(t, string(text.Body), "Открыть личный кабинет: https://cabinet.example.kz/policies/42")
	assert.Equal(t, "text/html", html.ContentType)
	assert.Contains(t, string(html.Body), `<a href="https://cabinet.example.kz/policies/42">Открыть личный кабинет</a>`)
	assert.Equal(t, "application/pdf", file.ContentType)
	assert.Equal(t, "attachment", file.Disposition)
	assert.Equal(t, "polis-OGPO-2025-000123.pdf", file.FileName)
	assert.Equal(t, pdf, file.Body, "the PDF arrives byte for byte")
}

func TestSendWithTheSameIdempotencyKeyRepeatsTheMessageID(t *testing.T) {
	srv := startServer(t, serverOptions{})
	m := newMailer(t, config(srv))
	msg := letter()
	msg.IdempotencyKey = "event-1"
	require.NoError(t, m.Send(t.Context(), msg))
	require.NoError(t, m.Send(t.Context(), msg))
	msg.IdempotencyKey = "event-2"
	require.NoError(t, m.Send(t.Context(), msg))
	msg.IdempotencyKey = ""
	require.NoError(t, m.Send(t.Context(), msg))
	require.NoError(t, m.Send(t.Context(), msg))

	var ids []string
	for _, r := range srv.Messages() {
		h, _, _ := parse(t, r.Data)
		ids = append(ids, h.Get("Message-Id"))
	}
	require.Len(t, ids, 5)
	assert.Equal(t, ids[0], ids[1], "a resend after a lost answer keeps its Message-ID")
	assert.NotEqual(t, ids[0], ids[2])
	assert.NotEqual(t, ids[3], ids[4], "without a key every message is new")
	assert.NotContains(t, ids[0], "event-1", "the key itself stays inside kabinet")
	assert.True(t, strings.HasSuffix(ids[0], "@insurer.example.kz>"), ids[0])
}

func TestSendWithAWrongPasswordIsRefused(t *testing.T) {
	srv := startServer(t, serverOptions{})
	cfg := config(srv)
	cfg.Password = "wrong-пароль"
	err := newMailer(t, cfg).Send(t.Context(), letter())

	require.ErrorIs(t, err, mail.ErrAuth)
	assert.NotErrorIs(t, err, mail.ErrUnavailable)
	assert.Contains(t, err.Error(), "535", "the reply code says why")
	assert.NotContains(t, err.Error(), "wrong-пароль")
	assert.Empty(t, srv.Messages())
	assert.Equal(t, []bool{true}, srv.Auths(), "the password went over TLS only")
}

func TestSendWithoutSTARTTLSOnTheServerIsRefusedBeforeAuth(t *testing.T) {
	srv := startServer(t, serverOptions{NoTLS: true})
	err := newMailer(t, config(srv)).Send(t.Context(), letter())

	require.ErrorIs(t, err, mail.ErrNoSTARTTLS)
	assert.Empty(t, srv.Auths(), "the credentials never travelled in clear")
	assert.Empty(t, srv.Messages())
}

func TestSendToAServerWithAnUntrustedCertificateIsRefused(t *testing.T) {
	srv := startServer(t, serverOptions{})
	cfg := config(srv)
	cfg.RootCAs = nil // the system's roots do not know the test certificate
	err := newMailer(t, cfg).Send(t.Context(), letter())

	require.ErrorIs(t, err, mail.ErrTLS)
	assert.Empty(t, srv.Auths())
	assert.Empty(t, srv.Messages())
}

func TestSendWithPolicyNoneTalksPlainSMTPToALocalServer(t *testing.T) {
	srv := startServer(t, serverOptions{NoTLS: true})
	cfg := config(srv)
	cfg.TLSPolicy = mail.TLSNone
	require.NoError(t, newMailer(t, cfg).Send(t.Context(), letter()))

	got := srv.Messages()
	require.Len(t, got, 1)
	assert.False(t, got[0].TLS)
	assert.Equal(t, []bool{false}, srv.Auths())
}

func TestSendWithoutCredentials(t *testing.T) {
	srv := startServer(t, serverOptions{NoAuthNeed: true})
	cfg := config(srv)
	cfg.Username, cfg.Password = "", ""
	require.NoError(t, newMailer(t, cfg).Send(t.Context(), letter()))
	assert.Len(t, srv.Messages(), 1)
	assert.Empty(t, srv.Auths())
}

func TestSendReportsARefusedRecipientWithoutNamingIt(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply *smtp.SMTPError
		want  error
		code  string
	}{
		{"permanent", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + clientAddr + "> no such user"}, mail.ErrRejected, "550 5.1.1"},
		{"temporary", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "<" + clientAddr + "> try later"}, mail.ErrUnavailable, "451 4.3.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, serverOptions{RcptError: tc.reply})
			err := newMailer(t, config(srv)).Send(t.Context(), letter())

			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.code)
			assert.NotContains(t, err.Error(), clientAddr, "the address is personal data")
			assert.NotContains(t, err.Error(), "ivanova")
			assert.Empty(t, srv.Messages())
		})
	}
}

func TestSendToAServerThatIsDownFails(t *testing.T) {
	cfg := mail.Config{Host: "127.0.0.1", Port: closedPort(t), From: fromHeader, Timeout: 5 * time.Second}
	err := newMailer(t, cfg).Send(t.Context(), letter())
	require.ErrorIs(t, err, mail.ErrUnavailable)
	assert.Contains(t, err.Error(), "connect")
}

func TestSendToAServerThatNeverAnswersEndsAtTheTimeout(t *testing.T) {
	host, port := silentServer(t)
	cfg := mail.Config{Host: host, Port: port, From: fromHeader, Timeout: 200 * time.Millisecond}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	err := newMailer(t, cfg).Send(ctx, letter())

	require.ErrorIs(t, err, mail.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "the mailer's own timeout ended the Send, not the caller's deadline")
}

func TestSendStopsWhenTheCallerGivesUp(t *testing.T) {
	host, port := silentServer(t)
	cfg := mail.Config{Host: host, Port: port, From: fromHeader, Timeout: time.Minute}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)

	err := newMailer(t, cfg).Send(ctx, letter())

	require.ErrorIs(t, err, context.Canceled)
}

func TestSendRefusesAnInvalidMessageWithoutQuotingIt(t *testing.T) {
	// Nothing listens: a message refused before the dial never reaches the network.
	m := newMailer(t, mail.Config{Host: "127.0.0.1", Port: closedPort(t), From: fromHeader})
	for name, msg := range map[string]mail.Message{
		"bad address":       {To: "not an address ivanova", Subject: "Тема", Text: "Текст"},
		"no subject":        {To: clientAddr, Text: "Текст"},
		"header injection":  {To: clientAddr, Subject: "Тема\r\nBcc: x@example.com", Text: "Текст"},
		"no text":           {To: clientAddr, Subject: "Тема"},
		"unnamed file":      {To: clientAddr, Subject: "Тема", Text: "Текст", Attachments: []mail.Attachment{{Data: []byte("x")}}},
		"empty file":        {To: clientAddr, Subject: "Тема", Text: "Текст", Attachments: []mail.Attachment{{Name: "a.pdf"}}},
		"path in file name": {To: clientAddr, Subject: "Тема", Text: "Текст", Attachments: []mail.Attachment{{Name: "../a.pdf", Data: []byte("x")}}},
		"bad content type":  {To: clientAddr, Subject: "Тема", Text: "Текст", Attachments: []mail.Attachment{{Name: "a.pdf", ContentType: "pdf;;", Data: []byte("x")}}},
	} {
		t.Run(name, func(t *testing.T) {
			err := m.Send(t.Context(), msg)
			require.ErrorIs(t, err, mail.ErrInvalidMessage)
			assert.NotErrorIs(t, err, mail.ErrUnavailable, "refused before any connection")
			assert.NotContains(t, err.Error(), "ivanova")
			assert.NotContains(t, err.Error(), "Текст")
		})
	}
}

func TestConfigValidate(t *testing.T) {
	valid := mail.Config{Host: "smtp.example.kz", From: fromHeader}
	require.NoError(t, valid.Validate())

	for name, tc := range map[string]struct {
		mutate func(*mail.Config)
		want   string
	}{
		"no host":             {func(c *mail.Config) { c.Host = "" }, "host is required"},
		"host with port":      {func(c *mail.Config) { c.Host = "smtp.example.kz:587" }, "without a port"},
		"port":                {func(c *mail.Config) { c.Port = 70000 }, "out of range"},
		"no from":             {func(c *mail.Config) { c.From = "" }, "from is required"},
		"bad from":            {func(c *mail.Config) { c.From = "noreply" }, "from:"},
		"user without secret": {func(c *mail.Config) { c.Username = "u" }, "go together"},
		"unknown policy":      {func(c *mail.Config) { c.TLSPolicy = "maybe" }, `tls policy "maybe"`},
		"none to a remote":    {func(c *mail.Config) { c.TLSPolicy = mail.TLSNone }, "only for a server on this machine"},
		"negative timeout":    {func(c *mail.Config) { c.Timeout = -time.Second }, "negative"},
	} {
		t.Run(name, func(t *testing.T) {
			c := valid
			tc.mutate(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = mail.New(c)
			assert.Error(t, err)
		})
	}

	t.Run("every problem at once", func(t *testing.T) {
		err := mail.Config{Port: -1, TLSPolicy: "x"}.Validate()
		require.Error(t, err)
		for _, want := range []string{"host", "port", "from", "tls policy"} {
			assert.Contains(t, err.Error(), want)
		}
	})
	t.Run("none is fine on loopback", func(t *testing.T) {
		for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
			assert.NoError(t, mail.Config{Host: host, From: fromHeader, TLSPolicy: mail.TLSNone}.Validate(), host)
		}
	})
}

// letter is a small valid message.
func letter() mail.Message {
	return mail.Message{To: clientAddr, Subject: "По страховому случаю № 77 нужны документы",
		Text: "Для урегулирования страхового случая № 77 нужна справка о ДТП.\n"}
}
