package main

import (
	"fmt"
	"sort"

	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/readmodels"
)

// readModels are the projections this binary builds and serves.
func readModels() []projections.Projection { return readmodels.All() }

// selectReadModels picks projections by name; all with all=true.
func selectReadModels(names []string, all bool) ([]projections.Projection, error) {
	known := readModels()
	if all {
		if len(names) > 0 {
			return nil, fmt.Errorf("give either --all or names, not both")
		}
		return known, nil
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("name the projections to use, or --all (known: %s)", knownNames(known))
	}
	byName := map[string]projections.Projection{}
	for _, p := range known {
		byName[p.Name()] = p
	}
	var out []projections.Projection
	for _, n := range names {
		p, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("unknown projection %q (known: %s)", n, knownNames(known))
		}
		out = append(out, p)
	}
	return out, nil
}

func knownNames(ps []projections.Projection) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name()
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}
