package cabinet

import "github.com/kabinet/kabinet/internal/text"

// refuseUnstorableText checks every string of a request before the
// operation runs. PostgreSQL keeps no NUL character and no invalid UTF-8 in
// text: such a string would fail a query as an internal error or, once in
// the event log, stop a read model that cannot store it. SOAP carries
// neither, but JSON carries a NUL, and a path, a query string or a form
// either. The KIAS feed makes the same check (internal/text).
func refuseUnstorableText(req any) error {
	if field, bad := text.Unstorable(req); bad {
		return invalid(field, text.Rule)
	}
	return nil
}
