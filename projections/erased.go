package projections

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Erased returns the clients whose erasure the batch records, in log
// order. A read model that keeps a client's personal data scrubs it when it
// sees the erasure: the events themselves read as erased from then on (see
// internal/pii), but rows written before are the read model's own.
func Erased(batch []eventstore.RecordedEvent) []uuid.UUID {
	var ids []uuid.UUID
	for _, e := range batch {
		if e.Type != client.TypeErased {
			continue
		}
		if id, err := uuid.Parse(strings.TrimPrefix(e.Stream, client.Aggregate+"-")); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// Scrub runs stmt, which takes a client ID as $1, for every client the
// batch erases.
func Scrub(ctx context.Context, tx sqldb.Tx, batch []eventstore.RecordedEvent, stmt string) error {
	for _, id := range Erased(batch) {
		if _, err := tx.Exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("scrub erased client %s: %w", id, err)
		}
	}
	return nil
}
