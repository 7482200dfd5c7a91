// Package kz holds Kazakhstani identifiers as value types: the personal IIN, the
// business BIN and the mobile phone number used for SMS. Each is parsed once at the
// edge; a value of these types is always valid, so the rest of kabinet never
// re-checks a checksum or an operator code.
//
// These are personal data: errors never repeat the number that was refused, and
// Masked gives a form safe for logs and screens.
package kz
