// Package readmodels lists the read models kabinet builds and serves, in the
// order they are rebuilt and swapped in (claims read policy numbers from the
// policies view, so policies come first).
package readmodels

import (
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/bonusledger"
	"github.com/kabinet/kabinet/projections/claims"
	"github.com/kabinet/kabinet/projections/clientprofile"
	"github.com/kabinet/kabinet/projections/inbox"
	"github.com/kabinet/kabinet/projections/policies"
)

// All returns every read model.
func All() []projections.Projection {
	return []projections.Projection{
		clientprofile.Projection{},
		policies.Projection{},
		claims.Projection{},
		bonusledger.Projection{},
		inbox.Projection{},
	}
}
