package bench

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// median of xs (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile returns the q-quantile (0 < q ≤ 1) of ds by the nearest-rank
// method; it sorts ds in place.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// trimFloat formats a target without trailing zeros: 0.8, 100.
func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
