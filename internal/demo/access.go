package demo

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
)

// card puts the client's counterparty card into the KIAS simulator, where
// registration finds their name and phone, unless it is there already.
func (l *loader) card(ctx context.Context, p *person) error {
	iin, err := kz.ParseIIN(p.iin)
	if err != nil {
		return fmt.Errorf("demo: IIN of client %q: %w", p.label, err)
	}
	phone, err := kz.ParsePhone(p.phone)
	if err != nil {
		return fmt.Errorf("demo: phone of client %q: %w", p.label, err)
	}
	_, found, err := l.sims.KIAS.FindClient(ctx, iin)
	if err != nil {
		return fmt.Errorf("demo: look client %q up in KIAS: %w", p.label, err)
	}
	if found {
		return nil
	}
	var numbers []string
	for _, pol := range l.data.policies {
		if pol.holder == p {
			numbers = append(numbers, pol.number)
		}
	}
	l.sims.KIAS.AddPerson(kias.Person{IIN: iin, LastName: p.last, FirstName: p.first, MiddleName: p.middle, Phone: phone}, numbers...)
	return nil
}

// signIn logs the client in with the demo's access code, opening their
// cabinet first if they have none. The login carries a fixed idempotency
// key, so that after the first run it writes nothing.
func (l *loader) signIn(ctx context.Context, p *person) (cabinet.Credentials, error) {
	s, err := l.login(ctx, p, AccessCode, key(p.label, "login"))
	if codeOf(err) != cabinet.CodeInvalidCredentials {
		return s, err
	}
	// The client has no cabinet yet, or their code is not the demo's any
	// more (a visitor changed it): registration tells which.
	registered, err := l.register(ctx, p)
	if err != nil {
		return cabinet.Credentials{}, err
	}
	if !registered {
		if err := l.restoreCode(ctx, p); err != nil {
			return cabinet.Credentials{}, err
		}
	}
	return l.login(ctx, p, AccessCode, key(p.label, "login"))
}

func (l *loader) login(ctx context.Context, p *person, code, idem string) (cabinet.Credentials, error) {
	out, err := l.website(ctx, "Login", cabinet.Credentials{}, idem, &cabinet.LoginRequest{Login: p.iin, AccessCode: code})
	if err != nil {
		return cabinet.Credentials{}, err
	}
	return cabinet.Credentials{SessionToken: out.(*cabinet.LoginResponse).Session.Token}, nil
}

// register opens the client's cabinet as the website does: the IIN, the
// code sent to the phone on the KIAS card, then the demo's access code in
// place of the one from the SMS. It reports false, doing nothing, when the
// client has a cabinet already.
func (l *loader) register(ctx context.Context, p *person) (bool, error) {
	out, err := l.website(ctx, "StartRegistration", cabinet.Credentials{}, "", &cabinet.StartRegistrationRequest{IIN: p.iin})
	if codeOf(err) == cabinet.CodeAlreadyRegistered {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if found := out.(*cabinet.StartRegistrationResponse).FoundIn; found != "kias" {
		return false, fmt.Errorf("registration found the client in %q, not in KIAS: is the service using the same KIAS simulator?", found)
	}
	regID := out.(*cabinet.StartRegistrationResponse).RegistrationID
	code, err := l.smsCode(ctx, p, func() error {
		_, err := l.website(ctx, "SendRegistrationCode", cabinet.Credentials{}, "", &cabinet.SendRegistrationCodeRequest{RegistrationID: regID})
		return err
	})
	if err != nil {
		return false, err
	}
	out, err = l.website(ctx, "ConfirmRegistration", cabinet.Credentials{}, "", &cabinet.ConfirmRegistrationRequest{RegistrationID: regID, Code: code})
	if err != nil {
		return false, err
	}
	s := cabinet.Credentials{SessionToken: out.(*cabinet.ConfirmRegistrationResponse).Session.Token}
	_, err = l.website(ctx, "ChangeAccessCode", s, key(p.label, "access-code"), &cabinet.ChangeAccessCodeRequest{CurrentCode: code, NewCode: AccessCode})
	return true, err
}

// restoreCode gives a registered client the demo's access code back, as the
// client would: a new code by SMS, a login with it, the code changed.
func (l *loader) restoreCode(ctx context.Context, p *person) error {
	code, err := l.smsCode(ctx, p, func() error {
		_, err := l.website(ctx, "ResetAccessCode", cabinet.Credentials{}, "", &cabinet.ResetAccessCodeRequest{Login: p.iin})
		return err
	})
	if err != nil {
		return err
	}
	// Fresh idempotency keys: the restore must happen even if it happened
	// before.
	s, err := l.login(ctx, p, code, "")
	if err != nil {
		return err
	}
	_, err = l.website(ctx, "ChangeAccessCode", s, "", &cabinet.ChangeAccessCodeRequest{CurrentCode: code, NewCode: AccessCode})
	return err
}

// smsCodePattern finds the six-digit code in a registration or reset SMS;
// the word "код" before it keeps a number in another text from passing for
// a code.
var smsCodePattern = regexp.MustCompile(`(?i)код[^0-9]{0,60}([0-9]{6})([^0-9]|$)`)

// smsCode runs send and returns the code it sent to the client's phone,
// read from the messages sent meanwhile.
func (l *loader) smsCode(ctx context.Context, p *person, send func() error) (string, error) {
	phone, err := kz.ParsePhone(p.phone)
	if err != nil {
		return "", err
	}
	before := len(l.sims.SMS.Sent())
	if err := send(); err != nil {
		return "", err
	}
	sent := l.sims.SMS.Sent()
	for i := len(sent) - 1; i >= before; i-- {
		if sent[i].Phone != phone {
			continue
		}
		if m := smsCodePattern.FindStringSubmatch(sent[i].Text); m != nil {
			return m[1], nil
		}
	}
	return "", errors.New("no code reached the phone on the KIAS card: is the service using the same SMS simulator?")
}
