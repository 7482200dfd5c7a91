package memory_test

import (
	"context"
	"testing"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/eventstoretest"
	"github.com/kabinet/kabinet/eventstore/memory"
)

func TestConformance(t *testing.T) {
	eventstoretest.Run(t, func(t *testing.T, upcasters *eventstore.Upcasters) eventstoretest.Backend {
		s := memory.New(memory.Options{Upcasters: upcasters})
		return eventstoretest.Backend{
			Store: s,
			// One mutex makes the memory store a single writer: an append
			// becomes visible only when it runs, so it runs at commit.
			BeginAppend: func(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (func() error, func() error, error) {
				commit := func() error {
					_, err := s.Append(ctx, stream, expected, events...)
					return err
				}
				rollback := func() error { return nil }
				return commit, rollback, nil
			},
			Tamper: tamperer{s},
		}
	})
}

type tamperer struct{ s *memory.Store }

func (t tamperer) SetData(stream string, version int64, data []byte) error {
	t.s.TamperData(stream, version, data)
	return nil
}

func (t tamperer) Delete(stream string, version int64) error {
	t.s.TamperDelete(stream, version)
	return nil
}

func (t tamperer) Swap(stream string, v1, v2 int64) error {
	t.s.TamperSwap(stream, v1, v2)
	return nil
}
