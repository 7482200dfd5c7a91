package main

import (
	"fmt"
	"strings"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

// folder folds a stream's events into its aggregate's state.
type folder func([]eventstore.RecordedEvent) (any, error)

// aggregates maps a stream prefix to the fold of its aggregate.
var aggregates = map[string]folder{
	client.Aggregate: foldWith(client.DecodeEvent, client.Evolve),
	policy.Aggregate: foldWith(policy.DecodeEvent, policy.Evolve),
	claim.Aggregate:  foldWith(claim.DecodeEvent, claim.Evolve),
	bonus.Aggregate:  foldWith(bonus.DecodeEvent, bonus.Evolve),
	notice.Aggregate: foldWith(notice.DecodeEvent, notice.Evolve),
}

func foldWith[S, E any](decode func(string, int, []byte) (E, error), evolve func(S, E) S) folder {
	return func(events []eventstore.RecordedEvent) (any, error) {
		var s S
		for _, e := range events {
			ev, err := decode(e.Type, e.SchemaVersion, e.Data)
			if err != nil {
				return nil, fmt.Errorf("decode %s version %d (%s): %w", e.Stream, e.Version, e.Type, err)
			}
			s = evolve(s, ev)
		}
		return s, nil
	}
}

// foldStream folds events of the named stream, or says it cannot.
func foldStream(stream string, events []eventstore.RecordedEvent) (any, error) {
	prefix, _, _ := strings.Cut(stream, "-")
	fold, ok := aggregates[prefix]
	if !ok {
		return nil, fmt.Errorf("no aggregate for stream prefix %q", prefix)
	}
	return fold(events)
}
