package main

import (
	"testing"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
)

// Regression: `kabinet replay stream notice-…` failed, as the notice
// aggregate was missing from the table of folds.
func TestEveryAggregateCanBeReplayed(t *testing.T) {
	for _, name := range []string{client.Aggregate, policy.Aggregate, claim.Aggregate, bonus.Aggregate, notice.Aggregate} {
		if _, ok := aggregates[name]; !ok {
			t.Errorf("no fold for stream prefix %q", name)
		}
	}
}
