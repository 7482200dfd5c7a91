package kz

import "errors"

// errNeverIssued and errCheckDigit let IIN and BIN share one algorithm while each
// reports its own sentinel.
var (
	errNeverIssued = errors.New("never issued")
	errCheckDigit  = errors.New("check digit")
	errLength      = errors.New("length")
	errDigits      = errors.New("digits")
)

var (
	firstWeights  = [11]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	secondWeights = [11]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
)

// checkDigits validates a 12-digit IIN or BIN: the 12th digit is Σ d[i]·w[i] mod 11
// with weights 1..11, or, when that is 10, with weights 3..11,1,2; a second 10 means
// the number is never issued.
func checkDigits(s string) error {
	if len(s) != 12 {
		return errLength
	}
	var d [12]int
	for i := 0; i < 12; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return errDigits
		}
		d[i] = int(c - '0')
	}
	r := weighted(d, firstWeights)
	if r == 10 {
		r = weighted(d, secondWeights)
		if r == 10 {
			return errNeverIssued
		}
	}
	if r != d[11] {
		return errCheckDigit
	}
	return nil
}

func weighted(d [12]int, w [11]int) int {
	sum := 0
	for i := range w {
		sum += d[i] * w[i]
	}
	return sum % 11
}
