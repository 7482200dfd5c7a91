package client

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/kz"
)

var (
	now      = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	earlier  = time.Date(2025, 2, 27, 9, 30, 0, 0, time.UTC)
	clientID = uuid.MustParse("0195a1c2-0000-7000-8000-000000000010")
	iin      = kz.MustParseIIN("900115300003")
	phone    = kz.MustParsePhone("+7 701 123 45 67")
	phone2   = kz.MustParsePhone("+7 777 765 43 21")
	hmacHash = strings.Repeat("a1", 32)
	argon    = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
	argon2   = "$argon2id$v=19$m=65536,t=3,p=2$b3RoZXJzYWx0$b3RoZXJoYXNoaGFzaGhhcw"
)

func registered() Registered {
	return Registered{
		ClientID: clientID, IIN: iin, FirstName: "Айгерим", LastName: "Сапарова",
		Phone: phone, Source: SourceKIAS, KIASClientID: "EKK-100200",
		Settings: DefaultSettings(), RegisteredAt: earlier,
	}
}

func registerCmd() RegisterClient {
	return RegisterClient{
		ClientID: clientID, IIN: iin, FirstName: "Айгерим", LastName: "Сапарова",
		Phone: phone, Source: SourceKIAS, KIASClientID: "EKK-100200",
	}
}

func oneTimeIssued(expires time.Time) AccessCodeIssued {
	return AccessCodeIssued{Kind: CodeOneTime, Hash: hmacHash, ExpiresAt: expires, IssuedAt: earlier}
}

// withCode is a registered client holding a one-time code valid for a day after now.
func withCode(more ...Event) []Event {
	return append([]Event{registered(), oneTimeIssued(now.Add(24 * time.Hour))}, more...)
}

func failures(n int) []Event {
	var es []Event
	for i := 1; i <= n; i++ {
		es = append(es, LoginFailed{Attempts: i, FailedAt: earlier})
	}
	return es
}

func fold(events []Event) State {
	var s State
	for _, e := range events {
		s = Evolve(s, e)
	}
	return s
}

type decideCase struct {
	name    string
	given   []Event
	when    Command
	want    []Event
	wantErr error
}
