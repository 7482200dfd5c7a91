// Package esbd is kabinet's port to ESBD, the national insurance database:
// the second place a client is looked for at registration, after KIAS, and
// the source of a driver's bonus-malus class. The Simulator stands in for
// ESBD in tests and in the embedded default; Client asks a real ESBD over
// HTTP, and Simulator.Handler serves the simulator over the same API.
//
// # HTTP API
//
// Paths are relative to the configured base URL; every request carries HTTP
// basic auth with kabinet's login and password (401 otherwise).
//
//	GET /persons/{iin}   200 Person, 404 when ESBD knows nothing of the IIN, 400 for a malformed IIN
//
// Person is
//
//	{"iin": "…", "last_name": "…", "first_name": "…", "middle_name": "…",
//	 "phone": "+77011234567", "kbm": {"class": "3", "coefficient": "0.90", "as_of": "2025-01-01"}}
//
// with phone and kbm absent when ESBD has none. Errors carry
// {"error": {"code", "message"}}, which kabinet does not read.
package esbd
