package demo

import (
	"github.com/kabinet/kabinet/adapters/cabinet"
)

// AccessCode is the access code of every demo login.
const AccessCode = "2468"

// person is a demo client: their KIAS card, the personal data KIAS holds
// for them and what their cabinet is set up with.
type person struct {
	// label names the person in errors and idempotency keys, which carry no
	// personal data; it must never change, or a second Load would not
	// recognise the first one's requests.
	label  string
	iin    string
	last   string
	first  string
	middle string
	phone  string
	data   cabinet.PersonalData // what KIAS holds beyond the card
	shows  string               // what the cabinet shows, for the list of logins
	// settings, when set, replace the defaults after registration.
	settings *cabinet.Settings
	// scans are put into KIAS through the cabinet.
	scans []scan
	// spend pays for an order with points once the payments have accrued.
	spend *spend
}

// spend is an order paid partly with bonus points.
type spend struct {
	order  string
	points int64 // at most; never more than half the balance
}

// scan is a scanned document the client uploads.
type scan struct {
	kind string
	file string
}

func (p *person) name() string {
	if p.middle == "" {
		return p.last + " " + p.first
	}
	return p.last + " " + p.first + " " + p.middle
}

// personalData is what the "my data" screen shows, card and all.
func (p *person) personalData() cabinet.PersonalData {
	d := p.data
	d.LastName, d.FirstName, d.MiddleName = p.last, p.first, p.middle
	return d
}

// people are the clients of the data set. The main client, his wife and their daughter
// share a car and its compulsory policy, so each shows up as a driver with
// a KBM on a policy of another.
func people() (saparov, wife, astana, daughter *person) {
	saparov = &person{
		label: "main", iin: "900115300003", last: "Сапаров", first: "Ерлан", middle: "Нурланович", phone: "+77015550101",
		data: cabinet.PersonalData{
			BirthDate: "1990-01-15", AdditionalPhone: "+7 727 355 01 01", Email: "e.saparov@example.com",
			Address:      "Алматы, Бостандыкский район, ул. Тимирязева, д. 42, кв. 17",
			DocumentType: "id_card", DocumentNumber: "045218673", DocumentIssuedBy: "МВД РК", DocumentIssuedOn: "2019-03-12",
			DrivingLicence: "AB 457812", DrivingLicenceDate: "2009-06-20",
		},
		shows: "policies in every tab (one expiring, an overdue installment, history), claims in every stage " +
			"(one waiting for documents), bonus points accrued and spent, notifications",
		settings: &cabinet.Settings{
			ExpiringPolicy:   cabinet.Channels{SMS: true, Email: true},
			InstallmentDue:   cabinet.Channels{SMS: true},
			ClaimStatus:      cabinet.Channels{SMS: true, Email: true},
			MissingDocuments: cabinet.Channels{SMS: true, Email: true},
			Bonus:            cabinet.Channels{Email: true},
			AutoProlongation: true,
			Email:            "e.saparov@example.com",
		},
		scans: []scan{
			{kind: "id_card", file: "udostoverenie.png"},
			{kind: "driving_licence", file: "voditelskoe.png"},
		},
		spend: &spend{order: "SITE-ORDER-58213", points: 500},
	}
	wife = &person{
		label: "wife", iin: "851231400001", last: "Жаксыбекова", first: "Айгерим", middle: "Маратовна", phone: "+77055550202",
		data: cabinet.PersonalData{
			BirthDate: "1985-12-31", Email: "aigerim.zh@example.com",
			Address:      "Алматы, Бостандыкский район, ул. Тимирязева, д. 42, кв. 17",
			DocumentType: "id_card", DocumentNumber: "038821954", DocumentIssuedBy: "МВД РК", DocumentIssuedOn: "2016-08-05",
			DrivingLicence: "AB 219904", DrivingLicenceDate: "2006-04-11",
		},
		shows: "a driver on the main client's policy with her own car, a policy paid by installments, " +
			"a claim with its documents complete and one withdrawn",
		scans: []scan{{kind: "id_card", file: "udostoverenie.png"}},
	}
	astana = &person{
		label: "astana", iin: "780302300121", last: "Ахметов", first: "Бауыржан", middle: "Серикович", phone: "+77775550303",
		data: cabinet.PersonalData{
			BirthDate: "1978-03-02", Address: "Астана, район Есиль, пр. Кабанбай батыра, д. 11, кв. 205",
			DocumentType: "passport", DocumentNumber: "N12873455", DocumentIssuedBy: "МВД РК", DocumentIssuedOn: "2021-11-30",
			DrivingLicence: "BC 110377", DrivingLicenceDate: "1998-09-01",
		},
		shows: "a policy for any driver ending within days, a claim waiting for bank details, an ended policy",
	}
	daughter = &person{
		label: "daughter", iin: "050720600002", last: "Сапарова", first: "Дана", middle: "Ерлановна", phone: "+77475550404",
		data: cabinet.PersonalData{
			BirthDate: "2005-07-20", Email: "dana.saparova@example.com",
			Address:      "Алматы, Бостандыкский район, ул. Тимирязева, д. 42, кв. 17",
			DocumentType: "id_card", DocumentNumber: "051377620", DocumentIssuedBy: "МВД РК", DocumentIssuedOn: "2021-07-27",
			DrivingLicence: "AB 998812", DrivingLicenceDate: "2023-08-15",
		},
		shows: "a young driver on her father's policy and a travel policy that has not started yet",
	}
	return saparov, wife, astana, daughter
}
