package kias

import (
	"context"
	"errors"
	"fmt"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/text"
)

// Import reads a client's history from KIAS (FeedSource.History) and applies
// it, oldest first, with the feed's commands, and returns how many of its
// changes are in kabinet's log, applied now or before.
//
// It is idempotent as the feed is: a change's command ID comes from the
// change's ID, so a change imported twice, or seen in the feed before or
// after, writes once. A change kabinet refuses for good is recorded in
// kias_feed_rejects under the feed's name, as the feed records it, and
// skipped. Any other error stops the import at that change and is returned;
// importing again resumes it, writing nothing twice. The feed's cursor is
// left alone and no lock is taken (see FeedPoller).
//
// The events carry the metadata in ctx (a reaction's cause and actor), with
// the correlation "kias-history:<change ID>" and the actor "kias:history"
// where ctx has none. Errors and log lines never name the IIN.
func (p *FeedPoller) Import(ctx context.Context, iin kz.IIN) (applied int, err error) {
	if iin.IsZero() {
		return 0, errors.New("kias history: an IIN is required")
	}
	rctx, cancel := context.WithTimeout(ctx, p.cfg.ReadTimeout)
	history, err := p.source.History(rctx, iin)
	cancel()
	if err != nil {
		return 0, fmt.Errorf("kias history: read: %w", err)
	}
	log := p.cfg.Logger.With("feed", p.cfg.Name)
	for i, c := range history {
		if c.ID == "" && c.Cursor == "" {
			return applied, fmt.Errorf("kias history: change %d (%s) has neither an id nor a cursor", i, c.Kind)
		}
		err := p.apply(historyMetadata(ctx, c), c)
		switch {
		case err == nil:
			applied++
		case refused(err):
			logReject(ctx, log, "kias history change rejected", c, err)
			if err := p.recordReject(ctx, p.db, c, err); err != nil {
				return applied, fmt.Errorf("kias history: record the rejected change %s: %w", text.Replace(c.ID), err)
			}
		default:
			return applied, fmt.Errorf("kias history: change %s (%s): %w", c.ID, c.Kind, err)
		}
	}
	return applied, nil
}

// historyMetadata is the metadata of the events a change read in a client's
// history writes: ctx's, completed.
func historyMetadata(ctx context.Context, c Change) context.Context {
	m := commands.MetadataFrom(ctx)
	if m.CorrelationID == "" {
		m.CorrelationID = "kias-history:" + c.ID
	}
	if m.Actor == "" {
		m.Actor = "kias:history"
	}
	return commands.WithMetadata(ctx, m)
}
