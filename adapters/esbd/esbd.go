package esbd

import (
	"context"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/kz"
)

// KBM is a driver's bonus-malus class as ESBD states it, shown as data and
// never computed by kabinet.
type KBM struct {
	Class       string
	Coefficient decimal.Decimal
	AsOf        time.Time
}

// Person is what ESBD knows of an IIN.
type Person struct {
	IIN        kz.IIN
	LastName   string
	FirstName  string
	MiddleName string
	Phone      kz.Phone // zero when ESBD has none
	KBM        KBM      // zero when the person has no driving history
}

// Simulator is an in-memory ESBD. It is safe for concurrent use.
type Simulator struct {
	mu     sync.Mutex
	people map[kz.IIN]Person
	login  string // what Handler requires as basic auth; "" requires nothing
	secret string
}

// NewSimulator returns an empty simulator.
func NewSimulator() *Simulator { return &Simulator{people: map[kz.IIN]Person{}} }

// AddPerson puts a person into the simulator.
func (s *Simulator) AddPerson(p Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people[p.IIN] = p
}

// FindPerson returns what ESBD knows of iin; found is false when nothing.
func (s *Simulator) FindPerson(ctx context.Context, iin kz.IIN) (Person, bool, error) {
	if err := ctx.Err(); err != nil {
		return Person{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.people[iin]
	return p, ok, nil
}
