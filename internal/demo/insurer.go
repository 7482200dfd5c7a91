package demo

import (
	"context"
	"strconv"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// policy issues a policy and records what was paid on it, as KIAS reports a
// contract concluded at its desk. Both are idempotent by their natural keys
// (contract, payment reference), so a second run records nothing, whatever
// day it runs on.
func (l *loader) policy(ctx context.Context, p policySpec) error {
	if _, err := l.insurer(ctx, "IssuePolicy", "", p.issue(l.cal)); err != nil {
		return err
	}
	for _, pay := range p.payments(l.cal) {
		if _, err := l.insurer(ctx, "RecordPayment", "", pay); err != nil {
			return err
		}
	}
	return nil
}

// claim reports a claim and takes it through its steps. A status change or
// a request for documents is not idempotent by itself (the claim may have
// moved on, and a closed claim refuses everything), so each step carries a
// key of its own.
func (l *loader) claim(ctx context.Context, c *claimSpec) error {
	out, err := l.insurer(ctx, "ReportClaim", "", c.report(l.cal))
	if err != nil {
		return err
	}
	l.claimIDs[c.number] = out.(*cabinet.ReportClaimResponse).ClaimID
	for i, s := range c.steps {
		if _, err := l.insurer(ctx, s.op, key("claim", c.number, strconv.Itoa(i)), s.req); err != nil {
			return err
		}
	}
	return nil
}
