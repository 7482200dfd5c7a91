package cabinet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/internal/pii"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// keepScanCopy seals the file name and content of a scan KIAS has taken
// and stores them in place of the client's copy of that kind, as KIAS
// replaces its scan of that kind. A copy that cannot be kept is logged and
// the upload still succeeds: KIAS, the system of record, has the scan, and
// failing now would tell the client it is not on file and have them send
// it again, while all that is lost is serving this scan while KIAS is out
// of reach. Nothing is kept without a keyring, nor for a client erased
// meanwhile.
func (s *Service) keepScanCopy(ctx context.Context, clientID uuid.UUID, scan kias.Scan) {
	if s.d.Keys == nil {
		return
	}
	if err := s.storeScanCopy(ctx, clientID, scan); err != nil && !errors.Is(err, pii.ErrErased) {
		s.cfg.Logger.WarnContext(ctx, "keep scan copy", "scan_id", scan.ID, "error", err)
	}
}

func (s *Service) storeScanCopy(ctx context.Context, clientID uuid.UUID, scan kias.Scan) error {
	kctx, cancel := s.partner(ctx)
	defer cancel()
	nameBox, err := s.d.Keys.SealBlob(kctx, clientID, scanNameRef(scan.ID), []byte(scan.FileName))
	if err != nil {
		return fmt.Errorf("seal copy of scan %s: %w", scan.ID, err)
	}
	contentBox, err := s.d.Keys.SealBlob(kctx, clientID, scanCopyRef(scan.ID), scan.Content)
	if err != nil {
		return fmt.Errorf("seal copy of scan %s: %w", scan.ID, err)
	}
	now := s.cfg.Now()
	uploaded := scan.UploadedAt
	if uploaded.IsZero() {
		uploaded = now
	}
	sum := sha256.Sum256(scan.Content)
	// Of two uploads of one kind at once, the scan KIAS took last stays,
	// whichever copy is stored last.
	_, err = s.d.DB.Exec(ctx, `
		INSERT INTO scan_copies (client_id, scan_id, kind, content_type, size, sha256, uploaded_at, sealed_name, sealed_content, stored_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (client_id, kind) DO UPDATE SET scan_id = excluded.scan_id, content_type = excluded.content_type,
			size = excluded.size, sha256 = excluded.sha256, uploaded_at = excluded.uploaded_at,
			sealed_name = excluded.sealed_name, sealed_content = excluded.sealed_content, stored_at = excluded.stored_at
		WHERE scan_copies.uploaded_at <= excluded.uploaded_at`,
		clientID, scan.ID, string(scan.Kind), scan.ContentType, int64(len(scan.Content)), hex.EncodeToString(sum[:]),
		uploaded, nameBox, contentBox, now)
	if err != nil {
		return fmt.Errorf("store copy of scan %s: %w", scan.ID, err)
	}
	return nil
}

// scanCopies opens the client's copies: all of them, without content, when
// scanID is "", or that one with its content. ok is false when there is
// none to serve. A copy that cannot be read or opened is logged and
// answered as none, so that the caller says KIAS is unavailable, as it
// would have without copies.
func (s *Service) scanCopies(ctx context.Context, clientID uuid.UUID, scanID string) (copies []kias.Scan, ok bool) {
	if s.d.Keys == nil {
		return nil, false
	}
	copies, err := s.openScanCopies(ctx, clientID, scanID)
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "read scan copies", "error", err)
		return nil, false
	}
	return copies, len(copies) > 0
}

func (s *Service) openScanCopies(ctx context.Context, clientID uuid.UUID, scanID string) ([]kias.Scan, error) {
	type stored struct {
		scan          kias.Scan
		name, content []byte
	}
	// A list opens the names only, and reads no content.
	rows, err := s.d.DB.Query(ctx, `
		SELECT scan_id, kind, content_type, size, sha256, uploaded_at, sealed_name,
			CASE WHEN $2 = '' THEN NULL ELSE sealed_content END
		FROM scan_copies
		WHERE client_id = $1 AND ($2 = '' OR scan_id = $2)
		ORDER BY uploaded_at, scan_id`, clientID, scanID)
	if err != nil {
		return nil, err
	}
	found, err := sqldb.CollectRows(rows, func(r sqldb.Row) (stored, error) {
		var x stored
		var kind string
		err := r.Scan(&x.scan.ID, &kind, &x.scan.ContentType, &x.scan.Size, &x.scan.SHA256, &x.scan.UploadedAt, &x.name, &x.content)
		x.scan.Kind, x.scan.UploadedAt = kias.ScanKind(kind), x.scan.UploadedAt.UTC()
		return x, err
	})
	if err != nil {
		return nil, err
	}
	kctx, cancel := s.partner(ctx)
	defer cancel()
	out := make([]kias.Scan, len(found))
	for i, x := range found {
		if out[i], err = s.openScanCopy(kctx, clientID, x.scan, x.name, x.content); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// openScanCopy puts the file name sealed in nameBox into sc and, when
// contentBox is not nil, the content sealed in it, after checking that the
// content is the one the row describes.
func (s *Service) openScanCopy(ctx context.Context, clientID uuid.UUID, sc kias.Scan, nameBox, contentBox []byte) (kias.Scan, error) {
	name, err := s.d.Keys.OpenBlob(ctx, clientID, scanNameRef(sc.ID), nameBox)
	if err != nil {
		return sc, fmt.Errorf("open copy of scan %s: %w", sc.ID, err)
	}
	sc.FileName = string(name)
	if contentBox == nil {
		return sc, nil
	}
	content, err := s.d.Keys.OpenBlob(ctx, clientID, scanCopyRef(sc.ID), contentBox)
	if err != nil {
		return sc, fmt.Errorf("open copy of scan %s: %w", sc.ID, err)
	}
	if sum := sha256.Sum256(content); int64(len(content)) != sc.Size || hex.EncodeToString(sum[:]) != sc.SHA256 {
		return sc, fmt.Errorf("open copy of scan %s: the content does not match its size and hash", sc.ID)
	}
	sc.Content = content
	return sc, nil
}

// dropScanCopies deletes the client's copies that stale names among those
// stored before asked, when KIAS was asked: a scan KIAS replaced or removed
// is not kept here. A copy stored after asked may be of a scan KIAS took
// after it answered, so it stays. A failure is logged, since the answer does
// not depend on it; the copy goes the next time.
func (s *Service) dropScanCopies(ctx context.Context, clientID uuid.UUID, asked time.Time, stale func(scanID string) bool) {
	if s.d.Keys == nil {
		return
	}
	// Reading first keeps the usual case, nothing to drop, off SQLite's
	// single writer.
	rows, err := s.d.DB.Query(ctx, `SELECT scan_id FROM scan_copies WHERE client_id = $1 AND stored_at < $2`, clientID, asked)
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "drop stale scan copies", "error", err)
		return
	}
	ids, err := sqldb.CollectRows(rows, func(r sqldb.Row) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "drop stale scan copies", "error", err)
		return
	}
	for _, id := range ids {
		if !stale(id) {
			continue
		}
		if _, err := s.d.DB.Exec(ctx, `DELETE FROM scan_copies WHERE client_id = $1 AND scan_id = $2 AND stored_at < $3`,
			clientID, id, asked); err != nil {
			s.cfg.Logger.WarnContext(ctx, "drop stale scan copies", "scan_id", id, "error", err)
			return
		}
	}
}

// deleteScanCopies deletes the copies of an erased client's scans. Their
// key is destroyed by then, so they could no longer be opened anyway; a
// failure is logged, and Sweep deletes them later.
func (s *Service) deleteScanCopies(ctx context.Context, clientID uuid.UUID) {
	if _, err := s.d.DB.Exec(ctx, `DELETE FROM scan_copies WHERE client_id = $1`, clientID); err != nil {
		s.cfg.Logger.WarnContext(ctx, "delete scan copies of an erased client", "error", err)
	}
}

// servedFromCopies logs the failed call to KIAS that kabinet's copies
// answered for.
func (s *Service) servedFromCopies(ctx context.Context, err error) {
	s.cfg.Logger.WarnContext(ctx, "partner call", "call", "KIAS", "error", err, "answered_from", "scan_copies")
}

// scanCopyRef and scanNameRef are what a copy's content and file name
// are sealed bound to besides their owner: the scan's ID, so that a box
// moved to another scan's row, or from the name to the content, does not
// open.
func scanCopyRef(scanID string) string { return "scan:" + scanID }

func scanNameRef(scanID string) string { return "scan-name:" + scanID }
