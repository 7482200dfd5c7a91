package kias

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
)

// Simulator is an in-memory KIAS. It is safe for concurrent use.
type Simulator struct {
	mu         sync.Mutex
	people     map[kz.IIN]*record
	printForms map[string][]byte // by contract ID
	nextScan   int
	now        func() time.Time
	changes    []Change // the feed, oldest first; a change's cursor is its index + 1
	apiKey     string   // what Handler requires in X-API-Key; "" requires nothing
}

type record struct {
	person   Person
	data     PersonalData
	policies []string // policy numbers
	scans    []Scan
}

// NewSimulator returns an empty simulator.
func NewSimulator() *Simulator {
	return &Simulator{people: map[kz.IIN]*record{}, printForms: map[string][]byte{}, now: time.Now}
}

// AddPerson puts a counterparty card into the simulator, with the numbers of
// the policies KIAS knows for them. Personal data start from the card.
func (s *Simulator) AddPerson(p Person, policyNumbers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ClientID == "" {
		p.ClientID = "KIAS-" + p.IIN.String()
	}
	r, ok := s.people[p.IIN]
	if !ok {
		r = &record{data: PersonalData{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, Phone: p.Phone}}
		s.people[p.IIN] = r
	}
	r.person = p
	r.policies = append(r.policies, policyNumbers...)
}

// AddPolicy records a policy number KIAS knows for an IIN already added.
func (s *Simulator) AddPolicy(iin kz.IIN, number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.people[iin]; ok {
		r.policies = append(r.policies, number)
	}
}

// SetPrintForm gives a contract a print form.
func (s *Simulator) SetPrintForm(contractID string, pdf []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.printForms[contractID] = slices.Clone(pdf)
}

// FindClient returns the counterparty card of an IIN; found is false when
// KIAS does not know it.
func (s *Simulator) FindClient(ctx context.Context, iin kz.IIN) (Person, bool, error) {
	if err := ctx.Err(); err != nil {
		return Person{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.people[iin]
	if !ok {
		return Person{}, false, nil
	}
	return r.person, true, nil
}

// HasPolicy reports whether KIAS has a policy with this number held by iin.
func (s *Simulator) HasPolicy(ctx context.Context, iin kz.IIN, number string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.people[iin]
	if !ok {
		return false, nil
	}
	number = strings.TrimSpace(number)
	return number != "" && slices.Contains(r.policies, number), nil
}

// PersonalData returns the client's personal data; ErrNotFound when KIAS has
// no card for the IIN.
func (s *Simulator) PersonalData(ctx context.Context, iin kz.IIN) (PersonalData, error) {
	if err := ctx.Err(); err != nil {
		return PersonalData{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.people[iin]
	if !ok {
		return PersonalData{}, ErrNotFound
	}
	return r.data, nil
}

// SavePersonalData replaces the client's personal data, creating the card of
// a client KIAS did not know (one registered from ESBD or typed in).
func (s *Simulator) SavePersonalData(ctx context.Context, iin kz.IIN, d PersonalData) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.people[iin]
	if !ok {
		r = &record{person: Person{ClientID: "KIAS-" + iin.String(), IIN: iin}}
		s.people[iin] = r
	}
	r.data = d
	r.person.LastName, r.person.FirstName, r.person.MiddleName = d.LastName, d.FirstName, d.MiddleName
	if !d.Phone.IsZero() {
		r.person.Phone = d.Phone
	}
	return nil
}

// SaveScan stores a scan for the client and returns it with its ID, size and
// hash; a scan of a kind already on file replaces it.
func (s *Simulator) SaveScan(ctx context.Context, iin kz.IIN, scan Scan) (Scan, error) {
	if err := ctx.Err(); err != nil {
		return Scan{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.people[iin]
	if !ok {
		r = &record{person: Person{ClientID: "KIAS-" + iin.String(), IIN: iin}}
		s.people[iin] = r
	}
	s.nextScan++
	sum := sha256.Sum256(scan.Content)
	scan.ID = fmt.Sprintf("SCAN-%06d", s.nextScan)
	scan.Size = int64(len(scan.Content))
	scan.SHA256 = hex.EncodeToString(sum[:])
	scan.UploadedAt = s.now().UTC().Truncate(time.Second)
	scan.Content = slices.Clone(scan.Content)
	r.scans = slices.DeleteFunc(r.scans, func(x Scan) bool { return x.Kind == scan.Kind })
	r.scans = append(r.scans, scan)
	out := scan
	out.Content = nil
	return out, nil
}

// Scans lists the client's scans without their content.
func (s *Simulator) Scans(ctx context.Context, iin kz.IIN) ([]Scan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.people[iin]
	if !ok {
		return nil, nil
	}
	out := make([]Scan, 0, len(r.scans))
	for _, sc := range r.scans {
		sc.Content = nil
		out = append(out, sc)
	}
	return out, nil
}

// Scan returns one of the client's scans with its content; ErrNotFound when
// the client has no scan with the ID.
func (s *Simulator) Scan(ctx context.Context, iin kz.IIN, id string) (Scan, error) {
	if err := ctx.Err(); err != nil {
		return Scan{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.people[iin]; ok {
		for _, sc := range r.scans {
			if sc.ID == id {
				sc.Content = slices.Clone(sc.Content)
				return sc, nil
			}
		}
	}
	return Scan{}, ErrNotFound
}

// PrintForm returns KIAS's print form of a contract; found is false when KIAS
// has none, and the cabinet renders its own.
func (s *Simulator) PrintForm(ctx context.Context, contractID string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.printForms[contractID]
	return slices.Clone(b), ok, nil
}
