// Package edgebench measures the website API end to end: ListPolicies and
// GetPolicy over JSON and SOAP at a fixed request rate on loopback, against
// a store seeded with many clients. It holds only a benchmark:
//
//	go test -run '^$' -bench APILoad -benchtime 1x ./adapters/edgebench
//
// KABINET_BENCH_CLIENTS (default 10000), KABINET_BENCH_RATE (requests per
// second per protocol and operation, default 75, so 300 in all) and
// KABINET_BENCH_SECONDS (default 10) tune it.
package edgebench
