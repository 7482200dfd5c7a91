// Package inbox is the read model of the client's notifications screen:
// every notice recorded in the client's inbox ("notice-<client id>"
// streams), newest first, with whether it was read and how many are unread.
//
// Notices are ordered by their version in the client's notice stream, the
// order they were recorded in, rather than by time, so that two notices
// recorded in the same microsecond still have one order.
//
// When a client is erased (client.erased) their notices are deleted: the
// texts address the client and name their policies, and an erased client
// has nobody left to read them. The notice events stay in the log.
//
// Apply writes a batch with at most three statements in one round trip: the
// deletions of erased clients, one multi-row insert of new notices and one
// update that marks notices read. Nothing is read before it is written. On
// SQLite, which has no arrays and no round trips, the same changes are a
// statement per erased client, notice and read, in that order.
//
// List always takes the client's ID; there is no way to list or read another
// client's notices.
package inbox
