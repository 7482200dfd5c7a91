package bus

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// relaySession is where a relay holds its lock and writes its checkpoint.
type relaySession interface {
	// tryLock takes the relay lock if it is free; ok is false when another
	// relay holds it.
	tryLock(ctx context.Context) (ok bool, err error)
	exec(ctx context.Context, sql string, args ...any) error
	queryRow(ctx context.Context, sql string, args ...any) sqldb.Row
	// close releases the lock, if held, and the session.
	close()
}

// openRelaySession opens the session of one relay's term. On PostgreSQL it
// is a connection of its own, outside the pool, that both holds the
// advisory lock and writes the checkpoint: if the session ends (the server
// restarted, the connection was cut) the lock goes with it, another instance
// may take over, and this relay's next checkpoint fails on the dead
// connection, which stops it. A lock taken on a pooled connection
// (sqldb.DB.TryLock) would be lost without a word while the checkpoint went
// on through other connections. On SQLite, where one process owns the file,
// the lock is that process's (TryLock) and the checkpoint goes through db.
func openRelaySession(ctx context.Context, db sqldb.DB, name string) (relaySession, error) {
	pool, ok := sqldb.Pgx(db)
	if !ok {
		return &sharedSession{db: db, name: name}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, err
	}
	return &ownSession{conn: conn, name: name}, nil
}

// ownSession is a PostgreSQL connection of the relay's own.
type ownSession struct {
	conn *pgx.Conn
	name string
}

func (s *ownSession) tryLock(ctx context.Context) (bool, error) {
	var ok bool
	err := s.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, lockRelay, s.name).Scan(&ok)
	return ok, err
}

func (s *ownSession) exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.conn.Exec(ctx, sql, args...)
	return err
}

func (s *ownSession) queryRow(ctx context.Context, sql string, args ...any) sqldb.Row {
	return s.conn.QueryRow(ctx, sql, args...)
}

func (s *ownSession) close() {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	_ = s.conn.Close(ctx) // ends the session and the lock with it
}

// sharedSession takes the lock through sqldb.DB.TryLock and writes through
// the DB itself.
type sharedSession struct {
	db     sqldb.DB
	name   string
	unlock func() // nil until the lock is held
}

func (s *sharedSession) tryLock(ctx context.Context) (bool, error) {
	unlock, ok, err := s.db.TryLock(ctx, lockRelay, s.name)
	if ok {
		s.unlock = unlock
	}
	return ok, err
}

func (s *sharedSession) exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.db.Exec(ctx, sql, args...)
	return err
}

func (s *sharedSession) queryRow(ctx context.Context, sql string, args ...any) sqldb.Row {
	return s.db.QueryRow(ctx, sql, args...)
}

func (s *sharedSession) close() {
	if s.unlock != nil {
		s.unlock()
	}
}
