package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/sms"
)

// Keys are API keys Load calls the service with. The idempotency keys of
// its requests are scoped by the name of the key's caller, so each key must
// belong to the same caller name on every run (`kabinet apikey create` gives
// a name a fresh key and keeps the name).
type Keys struct {
	Website string // a key of the website role
	Insurer string // a key of the insurer role
}

// Simulators are the partner simulators the service runs with: registration
// finds the demo clients on KIAS's cards, and Load reads the codes sent by
// SMS as the clients would on their phones. Load needs both, and the service
// must use the very same ones.
type Simulators struct {
	KIAS *kias.Simulator
	SMS  *sms.Simulator
}

// Login is a demo client's login, for printing.
type Login struct {
	IIN        string
	Phone      string // E.164
	AccessCode string
	Name       string // last, first and middle name
	Shows      string // what the cabinet shows, in a few words
}

// reactionWait bounds each wait for the reactions on the bus (bonus
// accruals, notices); they retry with backoff, so allow for a few retries.
const reactionWait = time.Minute

// Load creates the demo data set through the service's operations, once: a
// second call finds it and changes nothing (see the package documentation).
// now is the clock the data is laid out by, nil for time.Now; it must agree
// with the service's own. The bus and its reactions must be running, since
// Load waits for their bonus accruals and notices. It returns the demo
// logins. Errors name demo clients by label, never by personal data.
func Load(ctx context.Context, svc *cabinet.Service, keys Keys, sims Simulators, now func() time.Time) ([]Login, error) {
	var errs []error
	if svc == nil {
		errs = append(errs, errors.New("demo: the service is required"))
	}
	if keys.Website == "" || keys.Insurer == "" {
		errs = append(errs, errors.New("demo: API keys of both the website and the insurer role are required"))
	}
	if sims.KIAS == nil || sims.SMS == nil {
		errs = append(errs, errors.New("demo: the KIAS and SMS simulators are required: registration finds the clients in KIAS and Load reads their codes from the SMS"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	cal, err := newCalendar(now())
	if err != nil {
		return nil, err
	}
	l := &loader{svc: svc, keys: keys, sims: sims, cal: cal, data: build(), sessions: map[*person]cabinet.Credentials{}}
	if err := l.run(ctx); err != nil {
		return nil, err
	}
	out := make([]Login, len(l.data.people))
	for i, p := range l.data.people {
		out[i] = Login{IIN: p.iin, Phone: p.phone, AccessCode: AccessCode, Name: p.name(), Shows: p.shows}
	}
	return out, nil
}

// loader carries one Load.
type loader struct {
	svc      *cabinet.Service
	keys     Keys
	sims     Simulators
	cal      calendar
	data     dataset
	sessions map[*person]cabinet.Credentials
	claimIDs map[string]string // claim number → ID, from ReportClaim
}

// run puts the data set in, step by step; each step is a no-op the second
// time.
func (l *loader) run(ctx context.Context) error {
	// Cabinets come first: a policy whose holder has no cabinet opens one
	// by itself (a reaction on the bus), with a code sent by SMS that Load
	// would have to race for.
	for _, p := range l.data.people {
		if err := l.card(ctx, p); err != nil {
			return err
		}
		s, err := l.signIn(ctx, p)
		if err != nil {
			return fmt.Errorf("demo: cabinet of client %q: %w", p.label, err)
		}
		l.sessions[p] = s
		if err := l.profile(ctx, p); err != nil {
			return fmt.Errorf("demo: profile of client %q: %w", p.label, err)
		}
	}
	for _, p := range l.data.policies {
		if err := l.policy(ctx, p); err != nil {
			return fmt.Errorf("demo: policy %s: %w", p.contract, err)
		}
	}
	l.claimIDs = map[string]string{}
	for _, c := range l.data.claims {
		if err := l.claim(ctx, c); err != nil {
			return fmt.Errorf("demo: claim %s: %w", c.number, err)
		}
	}
	for _, p := range l.data.people {
		if err := l.bonus(ctx, p); err != nil {
			return fmt.Errorf("demo: bonus account of client %q: %w", p.label, err)
		}
		if err := l.inbox(ctx, p); err != nil {
			return fmt.Errorf("demo: notifications of client %q: %w", p.label, err)
		}
	}
	return nil
}

// insurer calls an operation as the insurer's systems. Their operations are
// idempotent by natural keys; key covers the others.
func (l *loader) insurer(ctx context.Context, op, key string, req any) (any, error) {
	return l.invoke(ctx, op, cabinet.Credentials{APIKey: l.keys.Insurer, IdempotencyKey: key}, req)
}

// website calls an operation as the website; a session is the website's
// credentials with a client's session token.
func (l *loader) website(ctx context.Context, op string, creds cabinet.Credentials, key string, req any) (any, error) {
	creds.APIKey, creds.IdempotencyKey = l.keys.Website, key
	return l.invoke(ctx, op, creds, req)
}

func (l *loader) invoke(ctx context.Context, name string, creds cabinet.Credentials, req any) (any, error) {
	op, ok := cabinet.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("the API has no operation %s", name)
	}
	creds.CorrelationID = "demo"
	out, err := l.svc.Invoke(ctx, op, creds, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// key is the idempotency key of one request of the data set.
func key(parts ...string) string {
	return strings.Join(append([]string{"demo-v1"}, parts...), ":")
}

// codeOf is the code of an error the service answered with, "" for one it
// did not explain.
func codeOf(err error) cabinet.Code {
	if e, ok := cabinet.ErrorOf(err); ok {
		return e.Code
	}
	return ""
}
