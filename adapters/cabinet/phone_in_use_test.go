package cabinet_test

import (
	"testing"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// Regression: a client could make another client's login phone their own,
// after which phone logins and resets found neither of them.
func TestALoginPhoneNamesOneClient(t *testing.T) {
	k := newKit(t)
	alice, bob := k.Client(t), k.Client(t)
	p := k.Policy(t, alice, cabinettest.PolicyOptions{})

	data := call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", alice.Session, &cabinet.GetPersonalDataRequest{}).PersonalData
	data.Phone = bob.Phone.String()
	e := refused(t, k, "UpdatePersonalData", alice.Session, &cabinet.UpdatePersonalDataRequest{PersonalData: data, PolicyNumber: p.Number})
	wantError(t, e, cabinet.CodeConflict, "personalData.phone")

	// Registration by a typed phone: the same rule.
	iin := cabinettest.NewIIN()
	start := call[cabinet.StartRegistrationResponse](t, k, "StartRegistration", k.Website(), &cabinet.StartRegistrationRequest{IIN: iin.String()})
	e = refused(t, k, "SendRegistrationCode", k.Website(), &cabinet.SendRegistrationCodeRequest{
		RegistrationID: start.RegistrationID, FirstName: "Ерлан", LastName: "Ахметов", Phone: bob.Phone.String()})
	wantError(t, e, cabinet.CodeConflict, "phone")

	// A landline is a fine additional phone.
	data.Phone = ""
	data.AdditionalPhone = "+7 (727) 250-00-00"
	call[cabinet.UpdatePersonalDataResponse](t, k, "UpdatePersonalData", alice.Session, &cabinet.UpdatePersonalDataRequest{PersonalData: data})
}
