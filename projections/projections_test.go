package projections_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// counter is a projection whose double application would show: every event
// adds a row (primary key: event ID) and bumps a total. It can be slowed down
// per event to widen the window for crashes and races.
type counter struct {
	version int
	delay   time.Duration
	name    string // default "counter"
}

func (c counter) Name() string {
	if c.name == "" {
		return "counter"
	}
	return c.name
}
func (c counter) Version() int     { return max(c.version, 1) }
func (c counter) Tables() []string { return []string{c.Name() + "_events", c.Name() + "_totals"} }
func (c counter) Schema(_ sqldb.Dialect, t projections.Tables) []string {
	return []string{
		`CREATE TABLE ` + t[c.Name()+"_events"] + ` (event_id uuid PRIMARY KEY, stream text NOT NULL, version bigint NOT NULL, built_by int NOT NULL)`,
		`CREATE TABLE ` + t[c.Name()+"_totals"] + ` (k int PRIMARY KEY, n bigint NOT NULL)`,
		`INSERT INTO ` + t[c.Name()+"_totals"] + ` VALUES (1, 0)`,
	}
}

func (c counter) Apply(ctx context.Context, tx sqldb.Tx, t projections.Tables, batch []eventstore.RecordedEvent) error {
	b := &sqldb.Batch{}
	for _, e := range batch {
		// No ON CONFLICT: applying an event twice fails loudly.
		b.Queue(`INSERT INTO `+t[c.Name()+"_events"]+` VALUES ($1, $2, $3, $4)`, e.ID, e.Stream, e.Version, c.Version())
	}
	b.Queue(`UPDATE `+t[c.Name()+"_totals"]+` SET n = n + $1 WHERE k = 1`, len(batch))
	if err := tx.SendBatch(ctx, b); err != nil {
		return err
	}
	if c.delay > 0 {
		time.Sleep(c.delay * time.Duration(len(batch)))
	}
	return nil
}

func setup(t *testing.T) (sqldb.DB, string, *postgres.Store) {
	pool, url := pgtest.New(t)
	s := postgres.New(pool, postgres.Options{})
	t.Cleanup(s.Close)
	return sqldb.FromPgx(pool), url, s
}

// eachDB runs fn on a fresh PostgreSQL database and a fresh SQLite file.
func eachDB(t *testing.T, fn func(t *testing.T, db sqldb.DB, s eventstore.Store)) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) { fn(t, b.DB, b.Store) })
}

// appendEvents appends and waits until the writes are visible in the log:
// a write transaction open anywhere on the server (another test package)
// holds the visible end back for a moment.
func appendEvents(t *testing.T, s eventstore.Store, streams, perStream int) {
	t.Helper()
	var last eventstore.Position
	for i := 0; i < streams; i++ {
		events := make([]eventstore.Event, perStream)
		for j := range events {
			events[j] = eventstore.Event{ID: uuid.New(), Type: "test.happened", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: time.Now()}
		}
		res, err := s.Append(context.Background(), eventstore.StreamName("t", uuid.New()), eventstore.NoStream, events...)
		require.NoError(t, err)
		last = res.Position
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		// The event at last is the first one after (tx, seq-1) once it is visible.
		got, err := s.ReadAll(context.Background(), eventstore.Position{Tx: last.Tx, Seq: last.Seq - 1}, 1)
		require.NoError(t, err)
		if len(got) == 1 && got[0].Position == last {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("appended events not visible after 30s")
}

// totals reads the live read model through its views, in one statement so
// that the two numbers come from one snapshot.
func totals(ctx context.Context, q sqldb.Querier) (rows, total int64, err error) {
	err = q.QueryRow(ctx, `SELECT (SELECT count(*) FROM counter_events), (SELECT n FROM counter_totals WHERE k = 1)`).Scan(&rows, &total)
	return rows, total, err
}

func TestCatchUpAppliesEveryEventOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		ctx := context.Background()
		appendEvents(t, s, 30, 7)
		g, err := projections.CatchUp(ctx, pool, s, counter{})
		require.NoError(t, err)
		assert.Equal(t, int64(210), g.Events)
		rows, total, err := totals(ctx, pool)
		require.NoError(t, err)
		assert.Equal(t, int64(210), rows)
		assert.Equal(t, int64(210), total)

		g2, err := projections.CatchUp(ctx, pool, s, counter{})
		require.NoError(t, err)
		assert.Equal(t, g.Position, g2.Position, "nothing new, nothing applied")
	})
}

// Two appliers racing on one database, without the runner's session lock:
// the checkpoint compare-and-set alone must keep every batch applied once.
func TestConcurrentAppliersNeverBothApply(t *testing.T) {
	pool, _, s := setup(t)
	ctx := context.Background()
	appendEvents(t, s, 40, 5)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := projections.CatchUp(ctx, pool, s, counter{delay: time.Millisecond})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	rows, total, err := totals(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, int64(200), rows)
	assert.Equal(t, int64(200), total)
}

// Two runners, as in two kabinet processes, follow the log while it grows.
func TestTwoRunnersShareOneDatabase(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var runners []*projections.Runner
		for i := 0; i < 2; i++ {
			r, err := projections.NewRunner(pool, s, []projections.Projection{counter{}}, projections.Config{Standby: 50 * time.Millisecond, PollInterval: 50 * time.Millisecond})
			require.NoError(t, err)
			runners = append(runners, r)
			go r.Run(ctx)
		}
		for round := 0; round < 10; round++ {
			appendEvents(t, s, 5, 3)
		}
		var last eventstore.Position
		batch, err := s.ReadAll(ctx, eventstore.Position{}, 1000)
		require.NoError(t, err)
		last = batch[len(batch)-1].Position
		waitCtx, waitCancel := context.WithTimeout(ctx, 30*time.Second)
		defer waitCancel()
		require.NoError(t, runners[1].WaitFor(waitCtx, last), "read-your-writes wait works from the process that does not apply")
		rows, total, err := totals(ctx, pool)
		require.NoError(t, err)
		assert.Equal(t, int64(150), rows)
		assert.Equal(t, int64(150), total)
	})
}

func TestWaitForTimesOut(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		appendEvents(t, s, 1, 1)
		r, err := projections.NewRunner(pool, s, []projections.Projection{counter{}}, projections.Config{})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		err = r.WaitFor(ctx, eventstore.Position{Tx: 1 << 40})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "counter")

		// Regression: a deadline that falls during the checkpoint query still
		// names what was being waited for.
		expired, cancelExpired := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancelExpired()
		err = r.WaitFor(expired, eventstore.Position{Tx: 1 << 40})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "counter")
	})
}

// The child process runs the runner with a slow projection until the parent
// kills it (SIGKILL) in the middle of a batch.
func TestMain(m *testing.M) {
	if url := os.Getenv("KABINET_PROJECTION_CHILD_DB"); url != "" {
		os.Exit(runChild(url))
	}
	os.Exit(m.Run())
}

func runChild(url string) int {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return 3
	}
	s := postgres.New(pool, postgres.Options{})
	r, err := projections.NewRunner(sqldb.FromPgx(pool), s, []projections.Projection{counter{delay: 2 * time.Millisecond}}, projections.Config{BatchSize: 50})
	if err != nil {
		return 3
	}
	fmt.Println("running")
	_ = r.Run(ctx) // until killed
	return 0
}

func TestExactlyOnceAcrossAKill(t *testing.T) {
	pool, url, s := setup(t)
	ctx := context.Background()
	appendEvents(t, s, 100, 10) // 1000 events, about 2 s of applying in the child

	for kill := 0; kill < 3; kill++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KABINET_PROJECTION_CHILD_DB="+url)
		require.NoError(t, cmd.Start())
		// Kill it once it is part-way: some batches committed, one in flight.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			rows, _, err := totals(ctx, pool)
			if err == nil && rows >= int64(150*(kill+1)) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
	}
	rows, total, err := totals(ctx, pool)
	require.NoError(t, err)
	require.Less(t, rows, int64(1000), "the kills must land before the end for this test to mean anything")
	assert.Equal(t, rows, total, "rows and total moved together in every committed batch")

	g, err := projections.CatchUp(ctx, pool, s, counter{})
	require.NoError(t, err, "restart continues from the checkpoint; a re-applied event would violate the primary key")
	rows, total, err = totals(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, int64(1000), rows)
	assert.Equal(t, int64(1000), total)
	assert.Equal(t, int64(1000), g.Events)
}

func TestRebuildSwapsWhileQueriesRun(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		appendEvents(t, s, 50, 10)
		_, err := projections.CatchUp(ctx, pool, s, counter{})
		require.NoError(t, err)

		// Readers check, throughout, that what they see is one consistent generation.
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			bad       []string
			queries   int
			generated = map[int]bool{}
		)
		// Readers name the views in Tables() order, as the Projection contract
		// asks of queries that read several views of one projection.
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					var rows, total, minBy, maxBy int64
					err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM counter_events), (SELECT n FROM counter_totals WHERE k = 1),
					(SELECT coalesce(min(built_by), 0) FROM counter_events), (SELECT coalesce(max(built_by), 0) FROM counter_events)`).Scan(&rows, &total, &minBy, &maxBy)
					mu.Lock()
					queries++
					switch {
					case ctx.Err() != nil:
					case err != nil:
						bad = append(bad, err.Error())
					case rows != total || minBy != maxBy:
						bad = append(bad, fmt.Sprintf("rows %d total %d built by %d..%d", rows, total, minBy, maxBy))
					default:
						generated[int(minBy)] = true
					}
					mu.Unlock()
				}
			}()
		}
		// Writers keep appending while version 2 is built and swapped in.
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20 && ctx.Err() == nil; i++ {
				appendEvents(t, s, 2, 5)
			}
		}()
		res, err := projections.Rebuild(ctx, pool, s, counter{version: 2, delay: 50 * time.Microsecond}, projections.RebuildOptions{BatchSize: 100})
		require.NoError(t, err)
		time.Sleep(100 * time.Millisecond)
		cancel()
		wg.Wait()
		assert.Empty(t, bad, "every query saw one whole generation")
		assert.True(t, generated[1] && generated[2], "queries ran before and after the swap (%d queries)", queries)
		assert.Equal(t, 1, res.Retired)
		assert.Positive(t, res.Rate())

		gens, err := projections.Generations(context.Background(), pool)
		require.NoError(t, err)
		require.NotEmpty(t, gens)
		assert.Equal(t, projections.StateLive, gens[0].State)
		assert.Equal(t, 2, gens[0].Version)
		var leftovers int
		require.NoError(t, pool.QueryRow(context.Background(), pool.Dialect().Pick(
			`SELECT count(*) FROM pg_tables WHERE tablename LIKE 'counter_%_g1'`,
			`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'counter_%_g1'`)).Scan(&leftovers))
		assert.Zero(t, leftovers, "the retired generation's tables are dropped")
	})
}

func TestRebuildResumesAfterInterruption(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		appendEvents(t, s, 40, 10)
		ctx, cancel := context.WithCancel(context.Background())
		var seen int64
		_, err := projections.Rebuild(ctx, pool, s, counter{}, projections.RebuildOptions{BatchSize: 50, Progress: func(p projections.Progress) {
			seen = p.Done
			assert.Equal(t, int64(400), p.Total)
			if p.Done >= 150 {
				cancel()
			}
		}})
		require.ErrorIs(t, err, context.Canceled)
		require.GreaterOrEqual(t, seen, int64(150))

		res, err := projections.Rebuild(context.Background(), pool, s, counter{}, projections.RebuildOptions{BatchSize: 50})
		require.NoError(t, err)
		assert.True(t, res.Resumed)
		assert.Less(t, res.Events, int64(400), "the resumed run does not start over")
		rows, total, err := totals(context.Background(), pool)
		require.NoError(t, err)
		assert.Equal(t, int64(400), rows)
		assert.Equal(t, int64(400), total)
	})
}

func TestVerifyFindsCorruptedRow(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		ctx := context.Background()
		appendEvents(t, s, 10, 3)
		_, err := projections.CatchUp(ctx, pool, s, counter{})
		require.NoError(t, err)
		diffs, err := projections.Verify(ctx, pool, s, counter{}, 10)
		require.NoError(t, err)
		assert.Empty(t, diffs, "a healthy read model matches its replay")

		_, err = pool.Exec(ctx, `UPDATE counter_totals_g1 SET n = n + 1`)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `DELETE FROM counter_events_g1 WHERE version = 2`)
		require.NoError(t, err)
		diffs, err = projections.Verify(ctx, pool, s, counter{}, 10)
		require.NoError(t, err)
		byTable := map[string][]string{}
		for _, d := range diffs {
			byTable[d.Table+"/"+d.Side] = append(byTable[d.Table+"/"+d.Side], d.Row)
		}
		assert.Len(t, byTable["counter_totals/live only"], 1)
		assert.Len(t, byTable["counter_totals/replay only"], 1)
		assert.Len(t, byTable["counter_events/replay only"], 10, "the deleted rows show as missing from live")
		assert.Empty(t, byTable["counter_events/live only"])

		var shadows int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM projection_generations WHERE state = 'shadow'`).Scan(&shadows))
		assert.Zero(t, shadows, "the shadow is cleaned up")
	})
}

func TestStatusReportsLag(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		ctx := context.Background()
		appendEvents(t, s, 5, 2)
		_, err := projections.CatchUp(ctx, pool, s, counter{})
		require.NoError(t, err)
		appendEvents(t, s, 3, 1)
		st, err := projections.Statuses(ctx, pool, []projections.Projection{counter{version: 2}})
		require.NoError(t, err)
		require.Len(t, st, 1)
		assert.Equal(t, int64(3), st[0].LagEvents)
		assert.Positive(t, st[0].Lag)
		assert.Equal(t, 1, st[0].Live.Version)
		assert.Equal(t, 2, st[0].CodeVersion, "status shows that a rebuild is due")
		assert.Equal(t, int64(10), st[0].Live.Events)
	})
}

func TestRebuildAllReadsTheLogOnceForSeveral(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		ctx := context.Background()
		appendEvents(t, s, 20, 10)
		// One of them is half built already: the pass starts where the least advanced one stands.
		_, err := projections.CatchUp(ctx, pool, s, counter{name: "other"})
		require.NoError(t, err)
		var calls int
		res, err := projections.RebuildAll(ctx, pool, s, []projections.Projection{counter{}, counter{name: "other", version: 2}},
			projections.RebuildOptions{BatchSize: 50, Progress: func(p projections.Progress) {
				calls++
				assert.Equal(t, "counter, other", p.Projection)
			}})
		require.NoError(t, err)
		require.Len(t, res, 2)
		assert.Equal(t, 4, calls, "one read pass of 200 events in batches of 50")
		for _, r := range res {
			assert.Equal(t, int64(200), r.Events, r.Projection)
		}
		assert.Equal(t, 1, res[1].Retired)
		for _, name := range []string{"counter", "other"} {
			var rows, total int64
			require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM `+name+`_events), (SELECT n FROM `+name+`_totals)`).Scan(&rows, &total))
			assert.Equal(t, int64(200), rows, name)
			assert.Equal(t, int64(200), total, name)
		}
	})
}

// Regression: a rebuild chased the end of the log, so writers faster than
// the projection kept it from ever reaching the swap.
func TestRebuildFinishesWhileWritersOutpaceIt(t *testing.T) {
	eachDB(t, func(t *testing.T, pool sqldb.DB, s eventstore.Store) {
		appendEvents(t, s, 20, 10)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan struct{})
		go func() { // as fast as it can, until the rebuild is over
			defer close(done)
			for ctx.Err() == nil {
				events := []eventstore.Event{{ID: uuid.New(), Type: "test.happened", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: time.Now()}}
				_, _ = s.Append(ctx, eventstore.StreamName("t", uuid.New()), eventstore.NoStream, events...)
			}
		}()
		rebuildCtx, stop := context.WithTimeout(ctx, time.Minute)
		defer stop()
		res, err := projections.Rebuild(rebuildCtx, pool, s, counter{delay: 500 * time.Microsecond}, projections.RebuildOptions{BatchSize: 20})
		cancel()
		<-done
		require.NoError(t, err, "the rebuild reaches its swap")
		assert.Equal(t, 0, res.Retired, "first build of this projection")

		g, err := projections.CatchUp(context.Background(), pool, s, counter{})
		require.NoError(t, err)
		rows, total, err := totals(context.Background(), pool)
		require.NoError(t, err)
		assert.Equal(t, rows, total)
		assert.Equal(t, g.Events, rows, "the live runner carries on from the swapped-in checkpoint")
	})
}
