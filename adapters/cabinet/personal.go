package cabinet

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

// GetPersonalData reads the client's personal data from KIAS, the system of
// record; kabinet keeps no copy.
func (s *Service) GetPersonalData(ctx context.Context, c Caller, _ *GetPersonalDataRequest) (*GetPersonalDataResponse, error) {
	st, err := s.clientState(ctx, c)
	if err != nil {
		return nil, err
	}
	pctx, cancel := s.partner(ctx)
	defer cancel()
	d, err := s.d.KIAS.PersonalData(pctx, st.IIN)
	if errors.Is(err, kias.ErrNotFound) {
		// A client registered from ESBD or typed in has no card yet: start
		// from what the cabinet knows.
		d, err = kias.PersonalData{FirstName: st.FirstName, LastName: st.LastName, Phone: st.Phone}, nil
	}
	if err != nil {
		return nil, s.unavailable(ctx, "KIAS", err)
	}
	out := personalData(d)
	out.IIN = st.IIN.String()
	out.Phone = st.Phone.String()
	if err := s.recordAccess(ctx, c, c.ClientID, "GetPersonalData", fieldNames(out)); err != nil {
		return nil, err
	}
	return &GetPersonalDataResponse{PersonalData: out}, nil
}

// UpdatePersonalData saves the client's personal data to KIAS. A new login
// phone needs one of the client's policy numbers, as at registration.
func (s *Service) UpdatePersonalData(ctx context.Context, c Caller, req *UpdatePersonalDataRequest) (*UpdatePersonalDataResponse, error) {
	st, err := s.clientState(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := s.refuseWithoutConsent(st); err != nil {
		return nil, err
	}
	d, err := parsePersonalData(req.PersonalData)
	if err != nil {
		return nil, err
	}
	if !d.Phone.IsZero() && d.Phone != st.Phone {
		if err := s.confirmPolicy(ctx, st.IIN, req.PolicyNumber); err != nil {
			return nil, err
		}
		if err := s.refusePhoneInUse(ctx, "personalData.phone", d.Phone, c.ClientID); err != nil {
			return nil, err
		}
		res, err := s.d.Clients.ChangePhone(ctx, c.commandID("UpdatePersonalData", 0), c.ClientID, d.Phone, req.PolicyNumber, true)
		if err != nil {
			return nil, err
		}
		if !st.Phone.IsZero() {
			if err := s.sendSMS(ctx, st.Phone, smsPhoneReplaced, ""); err != nil {
				return nil, err
			}
		}
		if err := s.settle(ctx, res); err != nil {
			return nil, err
		}
	}
	if d.Phone.IsZero() {
		d.Phone = st.Phone
	}
	pctx, cancel := s.partner(ctx)
	defer cancel()
	if err := s.d.KIAS.SavePersonalData(pctx, st.IIN, d); err != nil {
		return nil, s.unavailable(ctx, "KIAS", err)
	}
	out := personalData(d)
	out.IIN = st.IIN.String()
	if err := s.recordAccess(ctx, c, c.ClientID, "UpdatePersonalData", fieldNames(out)); err != nil {
		return nil, err
	}
	return &UpdatePersonalDataResponse{PersonalData: out}, nil
}

// GetSettings returns the client's settings, read from the client's own
// stream, so they always include the client's last change.
func (s *Service) GetSettings(ctx context.Context, c Caller, _ *GetSettingsRequest) (*GetSettingsResponse, error) {
	st, err := s.clientState(ctx, c)
	if err != nil {
		return nil, err
	}
	out := &GetSettingsResponse{Settings: settings(st.Settings)}
	if err := s.recordEmail(ctx, c, "GetSettings", out.Settings); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateSettings replaces the client's settings and answers once the read
// models show them.
func (s *Service) UpdateSettings(ctx context.Context, c Caller, req *UpdateSettingsRequest) (*UpdateSettingsResponse, error) {
	in := req.Settings
	email := strings.TrimSpace(in.Email)
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			return nil, invalid("settings.email", "is not an e-mail address")
		}
	}
	next := client.Settings{
		Notifications: client.Notifications{
			ExpiringPolicy: channels(in.ExpiringPolicy), InstallmentDue: channels(in.InstallmentDue),
			ClaimStatus: channels(in.ClaimStatus), MissingDocuments: channels(in.MissingDocuments), Bonus: channels(in.Bonus),
		},
		AutoProlongation: in.AutoProlongation,
		Email:            email,
	}
	if email == "" && (in.ExpiringPolicy.Email || in.InstallmentDue.Email || in.ClaimStatus.Email || in.MissingDocuments.Email || in.Bonus.Email) {
		return nil, invalid("settings.email", "is required when an e-mail channel is on")
	}
	res, err := s.d.Clients.ChangeSettings(ctx, c.commandID("UpdateSettings", 0), c.ClientID, next)
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	out := &UpdateSettingsResponse{Settings: settings(next)}
	if err := s.recordEmail(ctx, c, "UpdateSettings", out.Settings); err != nil {
		return nil, err
	}
	return out, nil
}

// recordEmail records an answer with settings when they carry the client's
// e-mail address, the one piece of personal data among them.
func (s *Service) recordEmail(ctx context.Context, c Caller, op string, set Settings) error {
	if set.Email == "" {
		return nil
	}
	return s.recordAccess(ctx, c, c.ClientID, op, []string{"email"})
}

// refuseWithoutConsent refuses to send the client's personal data to KIAS
// once a consent that processing rests on (personal data, transfer to the
// systems that serve the contract) is withdrawn or has expired. A purpose
// with no consent on file is not refused: clients who registered before
// GiveConsent existed gave their consent outside kabinet (the website's form,
// KIAS), and refusing for want of a record would shut them out. Reading
// one's own data stays open after a withdrawal, since the client's right to
// see what is held about them does not rest on consent.
func (s *Service) refuseWithoutConsent(st client.State) error {
	now := s.cfg.Now()
	for _, p := range []client.Purpose{client.PurposePersonalData, client.PurposeThirdParties} {
		if given, ok := st.ConsentFor(p); ok && !given.Active(now) {
			return failure(CodeConsentRequired, "the client has withdrawn the consent %q, or it has expired: personal data is not sent to KIAS without it", p)
		}
	}
	return nil
}

// clientState loads the session's client; an erased one is gone.
func (s *Service) clientState(ctx context.Context, c Caller) (client.State, error) {
	st, err := s.d.Clients.Load(ctx, c.ClientID)
	if err != nil {
		return client.State{}, err
	}
	if !st.Exists() || st.Erased() {
		return client.State{}, failure(CodeSessionRequired, "the client of this session no longer exists")
	}
	return st, nil
}

// refusePhoneInUse refuses a login phone that another client logs in with:
// a phone must name one client, or phone logins and resets would find nobody.
func (s *Service) refusePhoneInUse(ctx context.Context, field string, phone kz.Phone, self uuid.UUID) error {
	other, found, err := clientprofile.Directory{Q: s.d.DB}.ClientByPhone(ctx, phone)
	if err != nil {
		return err
	}
	if found && other != self {
		return &Error{Code: CodeConflict, Field: field, Message: "this phone is the login of another cabinet"}
	}
	return nil
}

// contactPhone accepts any phone a person may write down, landlines too.
func contactPhone(s string) bool {
	if len(s) > 30 {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 5
}

func parsePersonalData(p PersonalData) (kias.PersonalData, error) {
	d := kias.PersonalData{
		MiddleName: strings.TrimSpace(p.MiddleName), AdditionalPhone: strings.TrimSpace(p.AdditionalPhone),
		Email: strings.TrimSpace(p.Email), Address: strings.TrimSpace(p.Address),
		DocumentType: strings.TrimSpace(p.DocumentType), DocumentNumber: strings.TrimSpace(p.DocumentNumber),
		DocumentIssuedBy: strings.TrimSpace(p.DocumentIssuedBy), DrivingLicence: strings.TrimSpace(p.DrivingLicence),
	}
	var err error
	if d.LastName, err = requiredName("personalData.lastName", p.LastName); err != nil {
		return d, err
	}
	if d.FirstName, err = requiredName("personalData.firstName", p.FirstName); err != nil {
		return d, err
	}
	if strings.TrimSpace(p.Phone) != "" {
		if d.Phone, err = parsePhone("personalData.phone", p.Phone); err != nil {
			return d, err
		}
	}
	if d.Email != "" {
		if a, err := mail.ParseAddress(d.Email); err != nil || a.Address != d.Email {
			return d, invalid("personalData.email", "is not an e-mail address")
		}
	}
	if d.AdditionalPhone != "" && !contactPhone(d.AdditionalPhone) {
		return d, invalid("personalData.additionalPhone", "must be a phone number: digits, spaces, dashes, parentheses and a leading +, at most 30 characters")
	}
	if d.DocumentType != "" && d.DocumentType != "id_card" && d.DocumentType != "passport" {
		return d, invalid("personalData.documentType", "must be id_card or passport")
	}
	for _, f := range []struct {
		field string
		in    Date
		out   *string
	}{
		{"personalData.birthDate", p.BirthDate, &d.BirthDate},
		{"personalData.documentIssuedOn", p.DocumentIssuedOn, &d.DocumentIssuedOn},
		{"personalData.drivingLicenceDate", p.DrivingLicenceDate, &d.DrivingLicenceDate},
	} {
		v := strings.TrimSpace(string(f.in))
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return d, invalid(f.field, "must be a date, YYYY-MM-DD")
		}
		*f.out = v
	}
	for _, f := range []struct{ field, v string }{
		{"personalData.middleName", d.MiddleName}, {"personalData.address", d.Address},
		{"personalData.documentNumber", d.DocumentNumber}, {"personalData.documentIssuedBy", d.DocumentIssuedBy},
		{"personalData.drivingLicence", d.DrivingLicence},
	} {
		if utf8.RuneCountInString(f.v) > 300 {
			return d, invalid(f.field, "must be at most 300 characters")
		}
	}
	return d, nil
}

func personalData(d kias.PersonalData) PersonalData {
	return PersonalData{
		LastName: d.LastName, FirstName: d.FirstName, MiddleName: d.MiddleName, BirthDate: Date(d.BirthDate),
		Phone: phoneText(d.Phone), AdditionalPhone: d.AdditionalPhone, Email: d.Email, Address: d.Address,
		DocumentType: d.DocumentType, DocumentNumber: d.DocumentNumber, DocumentIssuedBy: d.DocumentIssuedBy,
		DocumentIssuedOn: Date(d.DocumentIssuedOn), DrivingLicence: d.DrivingLicence, DrivingLicenceDate: Date(d.DrivingLicenceDate),
	}
}

func settings(s client.Settings) Settings {
	n := s.Notifications
	return Settings{
		ExpiringPolicy: wireChannels(n.ExpiringPolicy), InstallmentDue: wireChannels(n.InstallmentDue),
		ClaimStatus: wireChannels(n.ClaimStatus), MissingDocuments: wireChannels(n.MissingDocuments), Bonus: wireChannels(n.Bonus),
		AutoProlongation: s.AutoProlongation, Email: s.Email,
	}
}

func channels(c Channels) client.Channels     { return client.Channels{SMS: c.SMS, Email: c.Email} }
func wireChannels(c client.Channels) Channels { return Channels{SMS: c.SMS, Email: c.Email} }
