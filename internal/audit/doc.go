// Package audit signs the event log's stream heads and checks the log
// against the latest signature, so that a rewrite by someone with write
// access to the database is caught even when the rewrite is consistent.
//
// # What the chains catch, and what they do not
//
// Every event's hash chains it to its predecessor and every stream head
// names its last version and hash (eventstore.VerifyStream). A changed,
// deleted or reordered row therefore breaks a chain or disagrees with its
// head. But the chain is made of SHA-256 over data that is all in the
// database: whoever can UPDATE events can also recompute the chain from the
// changed row onwards and move the head, and the store's Verify then finds
// nothing wrong.
//
// # Checkpoints
//
// [Sign] reads every stream head (stream, version, head hash) and the log
// position of the newest event, in one consistent snapshot, and signs them
// with an Ed25519 key that the database never sees. It stores the
// checkpoint in audit_checkpoints and the signed heads beside it in
// audit_checkpoint_heads. [Check] verifies the signature of a checkpoint
// with the public key and then that each signed head is still in its chain:
// the event at that stream and version has exactly the signed hash. Streams
// may have grown since; their earlier events cannot change without changing
// that hash, because each hash covers every event before it. Run [Check]
// after the store's Verify, which makes sure the chains themselves hold.
//
// What is signed, byte for byte (integers big-endian, len a uint32 length
// prefix), so that the signature can be checked without this code:
//
//	heads digest = SHA-256 over, for each head in byte order of stream:
//	    len stream ‖ stream ‖ int64 version ‖ len hash ‖ hash
//	message = len "kabinet audit checkpoint v1" ‖ that tag
//	    ‖ int64 created_at (Unix microseconds)
//	    ‖ uint64 position tx ‖ uint64 position seq
//	    ‖ int64 number of heads ‖ heads digest
//	signature = Ed25519(private key, message)
//
// Heads at version 0 (a stream that has no events) are not signed.
//
// # What a checkpoint cannot catch
//
// Events appended after the latest checkpoint are protected by their chains
// only, until the next checkpoint. Deleting the newest checkpoints makes an
// older one the latest: [Check] reports the time and number of the one it
// checked, and an operator who keeps the number that [Sign] printed can
// tell. The key must be kept apart from the database and its backups;
// whoever holds both can sign a rewritten log.
//
// Both functions run on PostgreSQL and SQLite (internal/sqldb).
package audit
