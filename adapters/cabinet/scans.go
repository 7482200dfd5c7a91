package cabinet

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kabinet/kabinet/adapters/kias"
)

// maxScanBytes keeps an upload with its base64 and envelope under the 1 MiB
// request limit.
const maxScanBytes = 700 << 10

// UploadDocumentScan stores a scan in KIAS; a scan of the same kind replaces
// the one on file. Once KIAS has taken it, kabinet keeps a sealed copy in
// place of its copy of that kind.
func (s *Service) UploadDocumentScan(ctx context.Context, c Caller, req *UploadDocumentScanRequest) (*UploadDocumentScanResponse, error) {
	st, err := s.clientState(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := s.refuseWithoutConsent(st); err != nil {
		return nil, err
	}
	kind := kias.ScanKind(strings.TrimSpace(req.Kind))
	if !kind.Valid() {
		return nil, invalid("kind", "must be one of id_card, driving_licence, vehicle_registration, passport")
	}
	name := strings.TrimSpace(req.FileName)
	if name == "" || utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "/\\\x00") {
		return nil, invalid("fileName", "is required: a plain file name of at most 200 characters")
	}
	if len(req.Content) == 0 {
		return nil, invalid("content", "is empty")
	}
	if len(req.Content) > maxScanBytes {
		return nil, invalid("content", "is larger than %d KiB", maxScanBytes>>10)
	}
	if ct := sniffScan(req.Content); ct != req.ContentType {
		return nil, invalid("contentType", "must be image/jpeg, image/png or application/pdf and match the content")
	}
	pctx, cancel := s.partner(ctx)
	defer cancel()
	scan, err := s.d.KIAS.SaveScan(pctx, st.IIN, kias.Scan{Kind: kind, FileName: name, ContentType: req.ContentType, Content: req.Content})
	if err != nil {
		return nil, s.unavailable(ctx, "KIAS", err)
	}
	s.keepScanCopy(ctx, c.ClientID, kias.Scan{ID: scan.ID, Kind: kind, FileName: name, ContentType: req.ContentType,
		UploadedAt: scan.UploadedAt, Content: req.Content})
	out := &UploadDocumentScanResponse{Scan: scanInfo(scan)}
	if err := s.recordAccess(ctx, c, c.ClientID, "UploadDocumentScan", scanFields(out.Scan)); err != nil {
		return nil, err
	}
	return out, nil
}

// ListDocumentScans lists the client's scans as KIAS has them, or, when
// KIAS cannot be reached, those kabinet keeps copies of.
func (s *Service) ListDocumentScans(ctx context.Context, c Caller, _ *ListDocumentScansRequest) (*ListDocumentScansResponse, error) {
	st, err := s.clientState(ctx, c)
	if err != nil {
		return nil, err
	}
	asked := s.cfg.Now()
	pctx, cancel := s.partner(ctx)
	defer cancel()
	scans, err := s.d.KIAS.Scans(pctx, st.IIN)
	if err == nil {
		s.dropScanCopies(ctx, c.ClientID, asked, func(id string) bool {
			return !slices.ContainsFunc(scans, func(sc kias.Scan) bool { return sc.ID == id })
		})
	} else {
		copies, ok := s.scanCopies(ctx, c.ClientID, "")
		if !ok {
			return nil, s.unavailable(ctx, "KIAS", err)
		}
		s.servedFromCopies(ctx, err)
		scans = copies
	}
	out := &ListDocumentScansResponse{Scans: make([]ScanInfo, len(scans))}
	for i, sc := range scans {
		out.Scans[i] = scanInfo(sc)
	}
	if err := s.recordAccess(ctx, c, c.ClientID, "ListDocumentScans", scanFields(out.Scans...)); err != nil {
		return nil, err
	}
	return out, nil
}

// GetDocumentScan returns one of the client's scans with its content, from
// KIAS, or from kabinet's copy when KIAS cannot be reached.
func (s *Service) GetDocumentScan(ctx context.Context, c Caller, req *GetDocumentScanRequest) (*GetDocumentScanResponse, error) {
	id := strings.TrimSpace(req.ScanID)
	if id == "" {
		return nil, invalid("scanId", "is required")
	}
	st, err := s.clientState(ctx, c)
	if err != nil {
		return nil, err
	}
	asked := s.cfg.Now()
	pctx, cancel := s.partner(ctx)
	defer cancel()
	scan, err := s.d.KIAS.Scan(pctx, st.IIN, id)
	switch {
	case errors.Is(err, kias.ErrNotFound):
		s.dropScanCopies(ctx, c.ClientID, asked, func(copied string) bool { return copied == id })
		return nil, &Error{Code: CodeNotFound, Field: "scanId", Message: "no such scan"}
	case err != nil:
		copies, ok := s.scanCopies(ctx, c.ClientID, id)
		if !ok {
			return nil, s.unavailable(ctx, "KIAS", err)
		}
		s.servedFromCopies(ctx, err)
		scan = copies[0]
	}
	out := &GetDocumentScanResponse{Scan: scanInfo(scan), Content: scan.Content}
	if err := s.recordAccess(ctx, c, c.ClientID, "GetDocumentScan", scanFields(out.Scan)); err != nil {
		return nil, err
	}
	return out, nil
}

func scanInfo(s kias.Scan) ScanInfo {
	return ScanInfo{ScanID: s.ID, Kind: string(s.Kind), FileName: s.FileName, ContentType: s.ContentType,
		Size: s.Size, SHA256: s.SHA256, UploadedAt: dateTime(s.UploadedAt)}
}

// sniffScan names the type of a scan by its first bytes; "" for anything
// but JPEG, PNG and PDF.
func sniffScan(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg"
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) >= 5 && string(b[:5]) == "%PDF-":
		return "application/pdf"
	}
	return ""
}
