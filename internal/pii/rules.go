package pii

import (
	"slices"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/domain/wire"
)

// Rules is the personal data of every kabinet event type that has some.
func Rules() []wire.Personal {
	return slices.Concat(client.Personal, policy.Personal, claim.Personal)
}
