package cabinet_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// BenchmarkFinishErasuresHeldBack measures what the sweep costs every ten
// minutes while erasures wait for policies in force: each one is asked
// about again and stays.
func BenchmarkFinishErasuresHeldBack(b *testing.B) {
	for _, db := range []struct {
		name string
		opts cabinettest.Options
	}{{"postgres", cabinettest.Options{}}, {"sqlite", cabinettest.Options{SQLite: true}}} {
		b.Run(db.name, func(b *testing.B) {
			const waiting = 50
			k := cabinettest.New(b, db.opts)
			op, _ := cabinet.Lookup("RequestErasure")
			for range waiting {
				c := k.Client(b)
				k.Policy(b, c, cabinettest.PolicyOptions{})
				resp, err := k.Service.Invoke(b.Context(), op, c.Session, &cabinet.RequestErasureRequest{})
				require.NoError(b, err)
				require.Equal(b, "deferred", resp.(*cabinet.RequestErasureResponse).Status)
			}
			k.Settle(b)
			for b.Loop() {
				n, err := k.Service.FinishErasures(b.Context())
				if err != nil || n != 0 {
					b.Fatalf("finished %d: %v", n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/waiting/1e3, "µs/waiting")
		})
	}
}
