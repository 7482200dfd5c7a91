package clientprofile

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// fold is a batch of client events reduced to one profile row per client.
// order keeps the writes the same on every rebuild.
type fold struct {
	profiles map[uuid.UUID]*profileRow
	order    []uuid.UUID

	// The JSON of the last settings encoded: most clients keep the defaults,
	// and Settings is comparable.
	lastSettings     client.Settings
	lastSettingsJSON *string
}

// profileRow is a client's profile as the batch leaves it. For a client
// registered in this batch (inserted) the row is whole and nil means NULL;
// otherwise nil means "unchanged" and the row is applied as an update.
type profileRow struct {
	inserted     bool
	registeredAt time.Time
	source, kias *string
	iin          *string
	first, last  *string
	phone        *string
	settings     *string // JSON
	lockedUntil  *time.Time
	lastLogin    *time.Time
	requested    *time.Time
	deferredBy   *string // "" when a new request cleared an earlier deferral
	erased       *time.Time

	given     map[client.Purpose]*storedConsent // consents given in the batch
	withdrawn map[client.Purpose]time.Time      // withdrawals of consents given before it
}

// storedConsent is one entry of the consents column, a JSON object keyed by
// purpose. Go writes every entry and every withdrawal time, so the column is
// the same whether a rebuild wrote it at once or updates merged it.
type storedConsent struct {
	Scope       []string   `json:"scope"`
	GivenAt     time.Time  `json:"given_at"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

func newFold() *fold { return &fold{profiles: map[uuid.UUID]*profileRow{}} }

func (f *fold) profile(id uuid.UUID) *profileRow {
	r := f.profiles[id]
	if r == nil {
		r = &profileRow{}
		f.profiles[id] = r
		f.order = append(f.order, id)
	}
	return r
}

func (f *fold) settingsJSON(s client.Settings) (*string, error) {
	if f.lastSettingsJSON != nil && s == f.lastSettings {
		return f.lastSettingsJSON, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	f.lastSettings, f.lastSettingsJSON = s, ptr(string(b))
	return f.lastSettingsJSON, nil
}

func (f *fold) add(id uuid.UUID, ev client.Event) error {
	switch ev := ev.(type) {
	case client.Registered:
		settings, err := f.settingsJSON(ev.Settings)
		if err != nil {
			return err
		}
		r := f.profile(id)
		*r = profileRow{
			inserted: true, registeredAt: ev.RegisteredAt, source: ptr(string(ev.Source)),
			iin: ptr(ev.IIN.String()), first: &ev.FirstName, last: &ev.LastName,
			phone: ptr(ev.Phone.String()), settings: settings,
		}
		if ev.KIASClientID != "" {
			r.kias = &ev.KIASClientID
		}
	case client.PhoneChanged:
		f.profile(id).phone = ptr(ev.New.String())
	case client.SettingsChanged:
		settings, err := f.settingsJSON(ev.Settings)
		if err != nil {
			return err
		}
		f.profile(id).settings = settings
	case client.LoginLocked:
		f.profile(id).lockedUntil = &ev.Until
	case client.LoginSucceeded:
		f.profile(id).lastLogin = &ev.SucceededAt
	case client.ErasureRequested:
		r := f.profile(id)
		r.requested, r.deferredBy = &ev.RequestedAt, ptr("")
	case client.ErasureDeferred:
		f.profile(id).deferredBy = ptr(string(ev.Reason))
	case client.Erased:
		// Only the dates stay, as in the aggregate's state; the update of a
		// row written earlier scrubs the stored columns (see queueUpdates).
		r := f.profile(id)
		*r = profileRow{inserted: r.inserted, registeredAt: r.registeredAt, requested: r.requested, deferredBy: ptr(""), erased: &ev.ErasedAt}
	case client.ConsentGiven:
		// A consent given again replaces the earlier one, withdrawal included.
		r := f.profile(id)
		if r.given == nil {
			r.given = map[client.Purpose]*storedConsent{}
		}
		c := &storedConsent{Scope: ev.Scope, GivenAt: ev.GivenAt}
		if !ev.ExpiresAt.IsZero() {
			c.ExpiresAt = &ev.ExpiresAt
		}
		r.given[ev.Purpose] = c
		delete(r.withdrawn, ev.Purpose)
	case client.ConsentWithdrawn:
		r := f.profile(id)
		if c, ok := r.given[ev.Purpose]; ok {
			c.WithdrawnAt = &ev.WithdrawnAt
			break
		}
		if r.withdrawn == nil {
			r.withdrawn = map[client.Purpose]time.Time{}
		}
		r.withdrawn[ev.Purpose] = ev.WithdrawnAt
	}
	return nil
}

// queue adds the fold's statements to b: inserts of the clients registered
// in the batch, then updates of the others.
func (f *fold) queue(b *sqldb.Batch, table string) error {
	var inserts, updates []uuid.UUID
	for _, id := range f.order {
		if f.profiles[id].inserted {
			inserts = append(inserts, id)
		} else {
			updates = append(updates, id)
		}
	}
	if len(inserts) > 0 {
		cols, err := f.columns(inserts)
		if err != nil {
			return err
		}
		// No ON CONFLICT: a client registers once, and a registration applied
		// twice means the checkpoint failed; it must stop the projection.
		b.Queue(`INSERT INTO `+table+` (client_id, registered_at, source, kias_client_id, iin, first_name, last_name, phone,
				settings, locked_until, last_login_at, erasure_requested_at, erasure_deferred_by, erased_at, consents)
			SELECT id, at, src, kias, iin, fn, ln, ph, st, lk, li, rq, coalesce(df, ''), er,
				CASE WHEN er IS NULL THEN coalesce(cg::jsonb, '{}') END
			FROM `+unnestColumns, cols...)
	}
	if len(updates) > 0 {
		cols, err := f.columns(updates)
		if err != nil {
			return err
		}
		b.Queue(updateSQL(table), cols...)
	}
	return nil
}

// unnestColumns names the arrays that columns returns.
const unnestColumns = `unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::timestamptz[],
	$15::text[], $16::text[]) AS u(id, at, src, kias, iin, fn, ln, ph, st, lk, li, rq, df, er, cg, cw)`

// updateSQL applies changes to profiles written by earlier batches: a NULL
// leaves a column as it is, and an erasure scrubs everything but the ID and
// the dates. Consents given in the batch (cg) replace those of the same
// purpose; withdrawals (cw, purpose → time) set withdrawn_at on the consent
// on file.
func updateSQL(table string) string {
	return `UPDATE ` + table + ` AS p SET
		source               = CASE WHEN u.er IS NULL THEN p.source END,
		kias_client_id       = CASE WHEN u.er IS NULL THEN p.kias_client_id END,
		iin                  = CASE WHEN u.er IS NULL THEN p.iin END,
		first_name           = CASE WHEN u.er IS NULL THEN p.first_name END,
		last_name            = CASE WHEN u.er IS NULL THEN p.last_name END,
		phone                = CASE WHEN u.er IS NULL THEN coalesce(u.ph, p.phone) END,
		settings             = CASE WHEN u.er IS NULL THEN coalesce(u.st, p.settings) END,
		locked_until         = CASE WHEN u.er IS NULL THEN coalesce(u.lk, p.locked_until) END,
		last_login_at        = CASE WHEN u.er IS NULL THEN coalesce(u.li, p.last_login_at) END,
		erasure_requested_at = coalesce(u.rq, p.erasure_requested_at),
		erasure_deferred_by  = coalesce(u.df, p.erasure_deferred_by),
		erased_at            = coalesce(u.er, p.erased_at),
		consents             = CASE
			WHEN u.er IS NOT NULL THEN NULL
			WHEN u.cg IS NULL AND u.cw IS NULL THEN p.consents
			ELSE (SELECT coalesce(jsonb_object_agg(c.k, CASE WHEN w.v IS NULL THEN c.v
					ELSE jsonb_set(c.v, '{withdrawn_at}', w.v) END), '{}')
				FROM jsonb_each(coalesce(p.consents, '{}') || coalesce(u.cg::jsonb, '{}')) AS c(k, v)
				LEFT JOIN jsonb_each(coalesce(u.cw::jsonb, '{}')) AS w(k, v) ON w.k = c.k)
			END
		FROM ` + unnestColumns + ` WHERE p.client_id = u.id`
}

// columns turns rows into the arrays of unnestColumns. NULLs travel as
// pgtype values, which pgx encodes directly (slices of pointers it encodes
// by reflection), and IDs as plain arrays (a uuid.UUID goes through its
// driver.Valuer, as a string).
func (f *fold) columns(ids []uuid.UUID) ([]any, error) {
	n := len(ids)
	raw, at := make([][16]byte, n), make([]time.Time, n)
	var texts [10][]pgtype.Text // source, kias, iin, first, last, phone, settings, deferred, given, withdrawn
	for i := range texts {
		texts[i] = make([]pgtype.Text, n)
	}
	var times [4][]pgtype.Timestamptz // locked, login, requested, erased
	for i := range times {
		times[i] = make([]pgtype.Timestamptz, n)
	}
	for i, id := range ids {
		r := f.profiles[id]
		raw[i], at[i] = id, r.registeredAt
		given, withdrawn, err := r.consentsJSON()
		if err != nil {
			return nil, err
		}
		for j, v := range [...]*string{r.source, r.kias, r.iin, r.first, r.last, r.phone, r.settings, r.deferredBy, given, withdrawn} {
			if v != nil {
				texts[j][i] = pgtype.Text{String: *v, Valid: true}
			}
		}
		for j, v := range [...]*time.Time{r.lockedUntil, r.lastLogin, r.requested, r.erased} {
			if v != nil {
				times[j][i] = pgtype.Timestamptz{Time: *v, Valid: true}
			}
		}
	}
	return []any{raw, at, texts[0], texts[1], texts[2], texts[3], texts[4], texts[5], texts[6],
		times[0], times[1], times[2], texts[7], times[3], texts[8], texts[9]}, nil
}

// consentsJSON encodes the consents given and withdrawn in the batch, nil
// for none.
func (r *profileRow) consentsJSON() (given, withdrawn *string, err error) {
	if r.erased != nil {
		return nil, nil, nil
	}
	if len(r.given) > 0 {
		b, err := json.Marshal(r.given)
		if err != nil {
			return nil, nil, fmt.Errorf("encode consents: %w", err)
		}
		given = ptr(string(b))
	}
	if len(r.withdrawn) > 0 {
		b, err := json.Marshal(r.withdrawn)
		if err != nil {
			return nil, nil, fmt.Errorf("encode consent withdrawals: %w", err)
		}
		withdrawn = ptr(string(b))
	}
	return given, withdrawn, nil
}

func ptr[T any](v T) *T { return &v }
