package claims

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/eventstore"
)

// change is what a batch does to one claim, in event order.
type change struct {
	reported    *claim.Reported // set when the claim was reported in this batch
	stage       claim.Status    // empty: unchanged
	hasPayout   bool
	payout      int64
	decisionRef string // empty: unchanged
	closedAt    time.Time
	lastChange  time.Time
	entries     []entryJSON
	// The batch's effect on the missing documents: every kind it requested
	// or received leaves the earlier list (touched), and the kinds still
	// requested at the end of the batch follow, in request order (added).
	touched []string
	added   []missingJSON
}

type folded struct {
	order   []uuid.UUID // claims the batch changes, in order of first change
	changes map[uuid.UUID]*change
}

// fold decodes each claim event once and gathers the batch's effect. Other
// events, and claim events this version does not know, are skipped by their
// type alone.
func fold(batch []eventstore.RecordedEvent) (*folded, error) {
	f := &folded{changes: map[uuid.UUID]*change{}}
	for i := range batch {
		e := &batch[i]
		if !strings.HasPrefix(e.Type, "claim.") || !known(e.Type) {
			continue
		}
		id, err := uuid.Parse(strings.TrimPrefix(e.Stream, claim.Aggregate+"-"))
		if err != nil {
			return nil, fmt.Errorf("claims: stream %q: %w", e.Stream, err)
		}
		ev, err := claim.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return nil, fmt.Errorf("claims: %s version %d: %w", e.Stream, e.Version, err)
		}
		f.change(id).add(e.Version, ev)
	}
	return f, nil
}

func known(eventType string) bool {
	switch eventType {
	case claim.TypeReported, claim.TypeStatusChanged, claim.TypeDocumentsRequested, claim.TypeDocumentReceived:
		return true
	}
	return false
}

func (f *folded) change(id uuid.UUID) *change {
	c, ok := f.changes[id]
	if !ok {
		c = &change{}
		f.changes[id] = c
		f.order = append(f.order, id)
	}
	return c
}

func (c *change) add(version int64, ev claim.Event) {
	entry := entryJSON{Version: version}
	var at time.Time
	switch e := ev.(type) {
	case claim.Reported:
		c.reported, at = &e, e.ReportedAt
		entry.Type, entry.To = typeReported, string(claim.StatusReported)
	case claim.StatusChanged:
		at = e.ChangedAt
		entry.Type, entry.From, entry.To, entry.Reason, entry.DecisionRef =
			typeStatusChanged, string(e.From), string(e.To), e.Reason, e.DecisionRef
		if !e.Payout.IsZero() {
			entry.Payout = e.Payout.String()
		}
		c.stage = e.To
		if e.To == claim.StatusPaid {
			c.hasPayout, c.payout = true, e.Payout.Tiyn()
		}
		if e.DecisionRef != "" {
			c.decisionRef = e.DecisionRef
		}
		if e.To.Terminal() {
			c.closedAt = e.ChangedAt
		}
	case claim.DocumentsRequested:
		at = e.RequestedAt
		entry.Type = typeDocumentsRequested
		for _, d := range e.Documents {
			entry.Requested = append(entry.Requested, requestedJSON{Kind: string(d.Kind), Title: d.Title})
			c.missingGone(string(d.Kind))
			c.added = append(c.added, missingJSON{Kind: string(d.Kind), Title: d.Title, RequestedAt: stamp(at)})
		}
	case claim.DocumentReceived:
		at = e.ReceivedAt
		entry.Type, entry.DocKind, entry.BlobRef, entry.SHA256 = typeDocumentReceived, string(e.Kind), e.BlobRef, e.SHA256
		c.missingGone(string(e.Kind))
	}
	entry.At = stamp(at)
	c.entries = append(c.entries, entry)
	if at.After(c.lastChange) {
		c.lastChange = at
	}
}

// missingGone takes kind off the missing list, as the claim aggregate does
// before it asks for a kind again or when the kind arrives.
func (c *change) missingGone(kind string) {
	if !slices.Contains(c.touched, kind) {
		c.touched = append(c.touched, kind)
	}
	c.added = slices.DeleteFunc(c.added, func(m missingJSON) bool { return m.Kind == kind })
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
