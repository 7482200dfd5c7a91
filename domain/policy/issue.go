package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/money"
)

func issuePolicy(s State, c IssuePolicy, now time.Time) ([]Event, error) {
	if s.Exists() {
		return nil, fmt.Errorf("policy %s: %w", s.ID, ErrPolicyExists)
	}
	c = trimIssue(c)
	if err := validateIssue(c); err != nil {
		return nil, err
	}
	if err := validateSchedule(c); err != nil {
		return nil, err
	}
	return []Event{Issued{
		PolicyID:         c.PolicyID,
		Product:          c.Product,
		Number:           c.Number,
		KIASContractID:   c.KIASContractID,
		Insurer:          c.Insurer,
		StartsOn:         c.StartsOn,
		EndsOn:           c.EndsOn,
		Holder:           c.Holder,
		InsuredPersons:   c.InsuredPersons,
		Drivers:          c.Drivers,
		UnlimitedDrivers: c.UnlimitedDrivers,
		Vehicle:          c.Vehicle,
		Premium:          c.Premium,
		PaymentMethod:    c.PaymentMethod,
		Installments:     c.Installments,
		RenewedFrom:      c.RenewedFrom,
		IssuedAt:         now,
	}}, nil
}

// trimIssue returns c with text fields trimmed and its slices copied, so the
// event never shares memory with the caller's command.
func trimIssue(c IssuePolicy) IssuePolicy {
	c.Number = strings.TrimSpace(c.Number)
	c.KIASContractID = strings.TrimSpace(c.KIASContractID)
	c.Insurer = strings.TrimSpace(c.Insurer)
	c.Holder.Name = strings.TrimSpace(c.Holder.Name)
	c.Holder.KBM = trimKBM(c.Holder.KBM)
	trimPeople := func(ps []Person) []Person {
		if len(ps) == 0 {
			return nil
		}
		out := make([]Person, len(ps))
		for i, p := range ps {
			p.Name = strings.TrimSpace(p.Name)
			p.KBM = trimKBM(p.KBM)
			out[i] = p
		}
		return out
	}
	c.InsuredPersons = trimPeople(c.InsuredPersons)
	c.Drivers = trimPeople(c.Drivers)
	c.Vehicle = Vehicle{
		Make:  strings.TrimSpace(c.Vehicle.Make),
		Model: strings.TrimSpace(c.Vehicle.Model),
		Plate: strings.ToUpper(strings.Join(strings.Fields(c.Vehicle.Plate), "")),
		VIN:   strings.ToUpper(strings.TrimSpace(c.Vehicle.VIN)),
		Year:  c.Vehicle.Year,
	}
	if len(c.Installments) == 0 {
		c.Installments = nil
	} else {
		c.Installments = append([]Installment(nil), c.Installments...)
	}
	return c
}

// trimKBM gives a KBM the one representation that survives a JSON round
// trip, so a decided event equals its stored copy.
func trimKBM(k KBM) KBM {
	k.Class = strings.TrimSpace(k.Class)
	if k.IsZero() {
		return KBM{}
	}
	if c, err := decimal.NewFromString(k.Coefficient.String()); err == nil {
		k.Coefficient = c
	}
	return k
}

func validateIssue(c IssuePolicy) error {
	invalid := func(field, rule string) error {
		return fmt.Errorf("%s: %s: %w", field, rule, ErrInvalidPolicy)
	}
	switch {
	case c.PolicyID == uuid.Nil:
		return invalid("policy_id", "required")
	case !c.Product.Valid():
		return invalid("product", fmt.Sprintf("%q is not a known product", c.Product))
	case c.Number == "":
		return invalid("number", "required")
	case c.KIASContractID == "":
		return invalid("kias_contract_id", "required")
	case c.Insurer == "":
		return invalid("insurer", "required")
	case !c.StartsOn.Valid():
		return invalid("starts_on", "required, a real day")
	case !c.EndsOn.Valid():
		return invalid("ends_on", "required, a real day")
	case !c.EndsOn.After(c.StartsOn):
		return invalid("ends_on", "must be after starts_on")
	case c.Holder.ClientID == uuid.Nil:
		return invalid("holder.client_id", "required")
	case c.Holder.IIN.IsZero():
		return invalid("holder.iin", "required")
	case !c.Premium.IsPositive():
		return invalid("premium", "must be positive")
	case !c.PaymentMethod.Valid():
		return invalid("payment_method", fmt.Sprintf("%q is not a known payment method", c.PaymentMethod))
	case c.RenewedFrom == c.PolicyID:
		return invalid("renewed_from", "a policy cannot renew itself")
	}
	if err := validateKBM("holder.kbm", c.Holder.KBM); err != nil {
		return err
	}
	for i, p := range c.InsuredPersons {
		if err := validatePerson(fmt.Sprintf("insured_persons[%d]", i), p, false); err != nil {
			return err
		}
	}
	seen := make(map[string]int, len(c.Drivers))
	for i, p := range c.Drivers {
		field := fmt.Sprintf("drivers[%d]", i)
		if err := validatePerson(field, p, true); err != nil {
			return err
		}
		if j, dup := seen[p.IIN.String()]; dup {
			return invalid(field+".iin", fmt.Sprintf("same as drivers[%d]", j))
		}
		seen[p.IIN.String()] = i
	}
	return validateMotor(c)
}

// validateMotor checks what depends on the product: a motor policy names its
// vehicle, and a compulsory motor policy lists its drivers unless it covers
// any driver.
func validateMotor(c IssuePolicy) error {
	invalid := func(field, rule string) error {
		return fmt.Errorf("%s: %s: %w", field, rule, ErrInvalidPolicy)
	}
	switch {
	case c.Product.Motor() && c.Vehicle.IsZero():
		return invalid("vehicle", "required for "+string(c.Product))
	case !c.Product.Motor() && c.UnlimitedDrivers:
		return invalid("unlimited_drivers", "only for motor products")
	case c.UnlimitedDrivers && len(c.Drivers) > 0:
		return invalid("drivers", "must be empty when any driver is covered")
	case c.Product == ProductOGPOVTS && !c.UnlimitedDrivers && len(c.Drivers) == 0:
		return invalid("drivers", "at least one required for ogpo_vts unless unlimited_drivers")
	}
	if c.Vehicle.IsZero() {
		return nil
	}
	switch v := c.Vehicle; {
	case v.Make == "":
		return invalid("vehicle.make", "required")
	case v.Model == "":
		return invalid("vehicle.model", "required")
	case v.Year != 0 && (v.Year < 1900 || v.Year > c.StartsOn.Year+1):
		return invalid("vehicle.year", fmt.Sprintf("%d is not between 1900 and the year after the term starts", v.Year))
	}
	return nil
}

func validatePerson(field string, p Person, iinRequired bool) error {
	switch {
	case p.Name == "":
		return fmt.Errorf("%s.name: required: %w", field, ErrInvalidPolicy)
	case iinRequired && p.IIN.IsZero():
		return fmt.Errorf("%s.iin: required: %w", field, ErrInvalidPolicy)
	}
	return validateKBM(field+".kbm", p.KBM)
}

func validateKBM(field string, k KBM) error {
	if k.IsZero() {
		return nil
	}
	switch {
	case k.Class == "":
		return fmt.Errorf("%s.class: required: %w", field, ErrInvalidPolicy)
	case !k.Coefficient.IsPositive():
		return fmt.Errorf("%s.coefficient: must be positive: %w", field, ErrInvalidPolicy)
	case !k.AsOf.Valid():
		return fmt.Errorf("%s.as_of: required, a real day: %w", field, ErrInvalidPolicy)
	}
	return nil
}

// validateSchedule checks that installments, and only installments, come
// with a schedule of at least two parts, numbered 1…n in due order, that adds
// up to the premium.
func validateSchedule(c IssuePolicy) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("installments: %s: %w", fmt.Sprintf(format, args...), ErrInvalidSchedule)
	}
	if c.PaymentMethod != PaymentInstallments {
		if len(c.Installments) > 0 {
			return bad("given for payment method %s", c.PaymentMethod)
		}
		return nil
	}
	if len(c.Installments) < 2 {
		return bad("at least two required, got %d", len(c.Installments))
	}
	sum := money.Zero
	for i, inst := range c.Installments {
		switch {
		case inst.Number != i+1:
			return bad("[%d] has number %d, want %d", i, inst.Number, i+1)
		case !inst.DueOn.Valid():
			return bad("[%d].due_on: required, a real day", i)
		case i > 0 && !inst.DueOn.After(c.Installments[i-1].DueOn):
			return bad("[%d].due_on %s: not after the previous one", i, inst.DueOn)
		case !inst.Amount.IsPositive():
			return bad("[%d].amount %s: must be positive", i, inst.Amount)
		}
		sum = sum.Add(inst.Amount)
	}
	if !sum.Equal(c.Premium) {
		return bad("sum %s, premium %s", sum, c.Premium)
	}
	return nil
}
