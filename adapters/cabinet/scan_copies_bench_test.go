package cabinet_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// BenchmarkScanCopies measures what the copies cost and save with a scan
// of the largest size an upload takes: an upload with its copy sealed and
// stored against one without (no keyring), and a scan read from KIAS's
// simulator (in memory, so only kabinet's own work) against one read from
// the copy while KIAS is down, and the same for a list of four such scans.
func BenchmarkScanCopies(b *testing.B) {
	content := append(append([]byte{}, png...), bytes.Repeat([]byte{0x5a}, 700<<10-len(png))...)
	for _, db := range []struct {
		name string
		opts cabinettest.Options
	}{{"postgres", cabinettest.Options{}}, {"sqlite", cabinettest.Options{SQLite: true}}} {
		b.Run(db.name, func(b *testing.B) {
			k := cabinettest.New(b, db.opts)
			c := k.Client(b)
			bare := k.Deps
			bare.Keys = nil
			withoutCopies, err := cabinet.New(bare, cabinet.Config{Now: k.Now})
			require.NoError(b, err)
			upload, _ := cabinet.Lookup("UploadDocumentScan")
			get, _ := cabinet.Lookup("GetDocumentScan")
			req := &cabinet.UploadDocumentScanRequest{Kind: "passport", FileName: "passport.png", ContentType: "image/png", Content: content}
			for _, svc := range []struct {
				name string
				s    *cabinet.Service
			}{{"upload/without-copy", withoutCopies}, {"upload/with-copy", k.Service}} {
				b.Run(svc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := svc.s.Invoke(b.Context(), upload, c.Session, req); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			resp, err := k.Service.Invoke(b.Context(), upload, c.Session, req)
			require.NoError(b, err)
			id := resp.(*cabinet.UploadDocumentScanResponse).Scan.ScanID
			// A list of four scans of that size, one of each kind.
			for _, kind := range []string{"id_card", "driving_licence", "vehicle_registration"} {
				r := *req
				r.Kind = kind
				_, err := k.Service.Invoke(b.Context(), upload, c.Session, &r)
				require.NoError(b, err)
			}
			list, _ := cabinet.Lookup("ListDocumentScans")
			for _, from := range []struct {
				name string
				op   cabinet.Operation
				req  any
				down bool
			}{
				{"get/from-kias", get, &cabinet.GetDocumentScanRequest{ScanID: id}, false},
				{"get/from-copy", get, &cabinet.GetDocumentScanRequest{ScanID: id}, true},
				{"list-4/from-kias", list, &cabinet.ListDocumentScansRequest{}, false},
				{"list-4/from-copy", list, &cabinet.ListDocumentScansRequest{}, true},
			} {
				b.Run(from.name, func(b *testing.B) {
					k.SetKIASDown(from.down)
					defer k.SetKIASDown(false)
					for b.Loop() {
						if _, err := k.Service.Invoke(b.Context(), from.op, c.Session, from.req); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
