package cabinettest

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// errKIASDown is what every call to KIAS returns while the kit has KIAS
// down: a timeout, as kias.Client reports when KIAS does not answer.
var errKIASDown = fmt.Errorf("kias: %w", partnerhttp.ErrTimeout)

// kiasLine is the KIAS the kit's service calls: the simulator, behind a
// switch that cuts it off.
type kiasLine struct {
	sim  *kias.Simulator
	down atomic.Bool
}

var _ cabinet.KIAS = (*kiasLine)(nil)

// SetKIASDown makes every call the service makes to KIAS fail, as when KIAS
// is out of reach, until it is called with false. The simulator (Kit.KIAS)
// itself still answers the test.
func (k *Kit) SetKIASDown(down bool) { k.kias.down.Store(down) }

func (l *kiasLine) check(ctx context.Context) error {
	if l.down.Load() {
		return errKIASDown
	}
	return ctx.Err()
}

func (l *kiasLine) FindClient(ctx context.Context, iin kz.IIN) (kias.Person, bool, error) {
	if err := l.check(ctx); err != nil {
		return kias.Person{}, false, err
	}
	return l.sim.FindClient(ctx, iin)
}

func (l *kiasLine) HasPolicy(ctx context.Context, iin kz.IIN, number string) (bool, error) {
	if err := l.check(ctx); err != nil {
		return false, err
	}
	return l.sim.HasPolicy(ctx, iin, number)
}

func (l *kiasLine) PersonalData(ctx context.Context, iin kz.IIN) (kias.PersonalData, error) {
	if err := l.check(ctx); err != nil {
		return kias.PersonalData{}, err
	}
	return l.sim.PersonalData(ctx, iin)
}

func (l *kiasLine) SavePersonalData(ctx context.Context, iin kz.IIN, d kias.PersonalData) error {
	if err := l.check(ctx); err != nil {
		return err
	}
	return l.sim.SavePersonalData(ctx, iin, d)
}

func (l *kiasLine) SaveScan(ctx context.Context, iin kz.IIN, scan kias.Scan) (kias.Scan, error) {
	if err := l.check(ctx); err != nil {
		return kias.Scan{}, err
	}
	return l.sim.SaveScan(ctx, iin, scan)
}

func (l *kiasLine) Scans(ctx context.Context, iin kz.IIN) ([]kias.Scan, error) {
	if err := l.check(ctx); err != nil {
		return nil, err
	}
	return l.sim.Scans(ctx, iin)
}

func (l *kiasLine) Scan(ctx context.Context, iin kz.IIN, id string) (kias.Scan, error) {
	if err := l.check(ctx); err != nil {
		return kias.Scan{}, err
	}
	return l.sim.Scan(ctx, iin, id)
}

func (l *kiasLine) PrintForm(ctx context.Context, contractID string) ([]byte, bool, error) {
	if err := l.check(ctx); err != nil {
		return nil, false, err
	}
	return l.sim.PrintForm(ctx, contractID)
}
