package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/projections/bonusledger"
	"github.com/kabinet/kabinet/projections/claims"
)

// bonus waits until every payment of the client's policies has earned its
// points (a reaction on the bus accrues them), then spends some on an order
// if the client has one.
func (l *loader) bonus(ctx context.Context, p *person) error {
	want := map[string]bool{}
	for _, pol := range l.data.policies {
		if pol.holder != p {
			continue
		}
		for _, pay := range pol.payments(l.cal) {
			want[pay.PaymentRef] = true
		}
	}
	var acc *cabinet.GetBonusAccountResponse
	err := wait(ctx, fmt.Sprintf("the bonus points of %d payments", len(want)), func() (bool, error) {
		out, err := l.website(ctx, "GetBonusAccount", l.sessions[p], "", &cabinet.GetBonusAccountRequest{Limit: 200})
		if err != nil {
			return false, err
		}
		acc = out.(*cabinet.GetBonusAccountResponse)
		accrued := 0
		for _, e := range acc.Entries {
			if e.Kind == string(bonusledger.KindAccrued) && want[e.PaymentRef] {
				accrued++
			}
		}
		return accrued == len(want), nil
	})
	if err != nil || p.spend == nil {
		return err
	}
	// A second run repeats the first one's request under its key and spends
	// nothing, whatever the balance is by then.
	points := min(p.spend.points, acc.Balance/2)
	if points <= 0 {
		return nil // a rate this low earns nothing worth spending
	}
	_, err = l.website(ctx, "SpendBonus", l.sessions[p], key(p.label, "spend", p.spend.order),
		&cabinet.SpendBonusRequest{OrderRef: p.spend.order, Points: points})
	return err
}

// inbox waits until the client's claims have put their notices in the
// inbox (a reaction on the bus delivers one for each change of stage and
// each request for documents), then marks those of the client's settled
// claims read, as a client who followed them would have. How many notices
// to wait for is read from the claims' timelines, which also hold the
// stage changes the service made by itself.
func (l *loader) inbox(ctx context.Context, p *person) error {
	want := 0
	settled := map[string]bool{}
	for _, c := range l.data.claims {
		if c.holder != p {
			continue
		}
		id := l.claimIDs[c.number]
		out, err := l.website(ctx, "GetClaim", l.sessions[p], "", &cabinet.GetClaimRequest{ClaimID: id})
		if err != nil {
			return err
		}
		d := out.(*cabinet.GetClaimResponse).Claim
		for _, e := range d.Timeline {
			if e.Kind == string(claims.EntryStatusChanged) || e.Kind == string(claims.EntryDocumentsRequested) {
				want++
			}
		}
		if d.Summary.Status == claim.ClientSettled {
			settled[id] = true
		}
	}
	if want == 0 {
		return nil
	}
	var list []cabinet.Notification
	err := wait(ctx, fmt.Sprintf("%d notices about claims", want), func() (bool, error) {
		out, err := l.website(ctx, "ListNotifications", l.sessions[p], "", &cabinet.ListNotificationsRequest{Limit: 200})
		if err != nil {
			return false, err
		}
		list = out.(*cabinet.ListNotificationsResponse).Notifications
		n := 0
		for _, m := range list {
			if m.Kind == string(notice.KindClaimStatus) || m.Kind == string(notice.KindMissingDocuments) {
				n++
			}
		}
		return n >= want, nil
	})
	if err != nil {
		return err
	}
	for _, m := range list {
		if !settled[m.ClaimID] || m.ReadAt != "" {
			continue
		}
		_, err := l.website(ctx, "MarkNotificationRead", l.sessions[p], key(p.label, "read", m.NotificationID),
			&cabinet.MarkNotificationReadRequest{NotificationID: m.NotificationID})
		if err != nil {
			return err
		}
	}
	return nil
}

// pollEvery is how often a wait looks again.
const pollEvery = 100 * time.Millisecond

// wait asks done until it says yes, for at most reactionWait.
func wait(ctx context.Context, what string, done func() (bool, error)) error {
	deadline := time.Now().Add(reactionWait)
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not show within %s: are the bus and its reactions running?", what, reactionWait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", what, ctx.Err())
		case <-time.After(pollEvery):
		}
	}
}
