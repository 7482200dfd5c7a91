package reactions

import (
	"context"
	"fmt"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
)

// importHistoryOnClientRegistered brings a new client's policies and claims
// that KIAS already holds into "my policies" and "my claims": those bought
// or reported before the cabinet existed, or before KIAS's feed was first
// read, which the feed will never report again.
//
// It is idempotent by construction: the import's commands take their IDs
// from KIAS's changes, so the same event handled again, or a change the feed
// brings as well, writes nothing new. A client erased by the time the event
// is handled gets nothing imported.
func (s *Set) importHistoryOnClientRegistered() Reaction {
	const name = NameImportHistoryOnClientRegistered
	return Reaction{
		Name:  name,
		Types: []string{client.TypeRegistered},
		Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
			ev, err := decodeClient[client.Registered](e)
			if err != nil {
				return err
			}
			st, err := s.d.Clients.Load(ctx, ev.ClientID)
			if err != nil {
				return fmt.Errorf("%s: client %s: %w", name, ev.ClientID, err)
			}
			if st.Erased() {
				s.log.InfoContext(ctx, "client erased; no history imported", "event_id", e.ID, "client_id", ev.ClientID)
				return nil
			}
			ctx = withCause(ctx, e, name)
			n, err := s.d.History.Import(ctx, ev.IIN)
			if err != nil {
				return fmt.Errorf("%s: client %s: %w", name, ev.ClientID, err)
			}
			s.log.InfoContext(ctx, "history imported from KIAS", "event_id", e.ID, "client_id", ev.ClientID, "changes", n)
			return nil
		},
	}
}
