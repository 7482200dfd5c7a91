// Package notice is the client's notification inbox: every notification the
// cabinet sent a client (by SMS, e-mail or only to the inbox) and whether the
// client has read it.
//
// There is one stream per client, "notice-<client id>", so the stream ID is
// the client ID and events do not repeat it. A notice is recorded once the
// reaction that sends it knows what it sent; the inbox then shows it.
//
// Rules the decisions keep:
//   - Recording is idempotent per notice ID: a reaction delivered twice
//     records nothing the second time, even if the text it composed differs.
//     The handler derives the notice ID from the event that caused it.
//   - An access code never enters the inbox. A notice of kind access_code
//     carries the fixed AccessCodeTitle and AccessCodeBody; a command that
//     brings any other text for it is refused, so a caller that passes the
//     SMS it sent (code included) fails loudly instead of storing the code.
//   - Title and body are the Russian text shown to the client, trimmed, in
//     valid UTF-8 and bounded (MaxTitleLength, MaxBodyLength).
//   - Channels are the ways the notice went out, at least one, each once;
//     they are recorded in a fixed order (sms, email, inbox).
//   - Marking read is idempotent: a notice already read decides nothing, an
//     unknown notice is refused with ErrNoticeNotFound.
//   - Times are UTC at microsecond precision, the precision of the event
//     store, so a decided event equals its stored copy.
package notice
