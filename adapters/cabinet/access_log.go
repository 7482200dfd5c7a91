package cabinet

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// AccessRecord is one answer that carried a client's personal data or
// scans, as the access log keeps it: who read what, when and through which
// operation. It names fields and scans; it never holds their values.
type AccessRecord struct {
	ID        int64
	At        time.Time
	ClientID  uuid.UUID // whose data
	Caller    string    // the API key's name
	Actor     string    // "client:<id>" for a client's session, "api:<key name>" otherwise
	Operation string    // e.g. "GetPersonalData"
	Fields    []string  // the JSON names of the fields the answer carried, or "scan:<id>" per scan
	RequestID string    // the request's X-Request-ID
}

// recordAccess adds a row to the access log. Its error fails the operation
// that calls it, before the answer leaves: a read that cannot be recorded is
// not served.
func (s *Service) recordAccess(ctx context.Context, c Caller, clientID uuid.UUID, op string, fields []string) error {
	if fields == nil {
		fields = []string{}
	}
	names, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("record access to personal data: %w", err)
	}
	_, err = s.d.DB.Exec(ctx, `
		INSERT INTO access_log (at, client_id, caller, actor, operation, fields, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.cfg.Now(), clientID, c.Name, actor(c), op, string(names), c.creds.CorrelationID)
	if err != nil {
		return fmt.Errorf("record access to personal data: %w", err)
	}
	return nil
}

// AccessLog lists the recorded reads of a client's personal data at or
// after since (all of them when since is zero), newest first.
func AccessLog(ctx context.Context, q sqldb.Querier, clientID uuid.UUID, since time.Time) ([]AccessRecord, error) {
	rows, err := q.Query(ctx, `
		SELECT id, at, client_id, caller, actor, operation, fields, request_id
		FROM access_log WHERE client_id = $1 AND at >= $2
		ORDER BY at DESC, id DESC`, clientID, since)
	if err != nil {
		return nil, fmt.Errorf("read access log: %w", err)
	}
	out, err := sqldb.CollectRows(rows, func(r sqldb.Row) (AccessRecord, error) {
		var a AccessRecord
		var fields []byte
		if err := r.Scan(&a.ID, &a.At, &a.ClientID, &a.Caller, &a.Actor, &a.Operation, &fields, &a.RequestID); err != nil {
			return a, err
		}
		if err := json.Unmarshal(fields, &a.Fields); err != nil {
			return a, fmt.Errorf("access log row %d: fields: %w", a.ID, err)
		}
		a.At = a.At.UTC()
		return a, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read access log: %w", err)
	}
	return out, nil
}

// fieldNames names the members of a wire struct that hold a value, by
// their JSON names: what an answer carried, without what it said.
func fieldNames(v any) []string {
	rv := reflect.ValueOf(v)
	rt := rv.Type()
	var out []string
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() || rv.Field(i).IsZero() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// scanFields names the scans an answer carried.
func scanFields(scans ...ScanInfo) []string {
	out := make([]string, len(scans))
	for i, sc := range scans {
		out[i] = "scan:" + sc.ScanID
	}
	return out
}
