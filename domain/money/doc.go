// Package money holds KZT, an amount of Kazakhstani tenge with exactly two decimal
// places (tiyn). Amounts are never floats: they live on shopspring/decimal and cross
// the wire as JSON strings such as "1500.50", so no consumer can lose a tiyn to binary
// rounding.
package money
