// Package web is the reference client cabinet: the screens of the insurer's
// website (seed 000) as a small server-rendered site, in Russian, served at
// "/" beside the SOAP and JSON edges. It is a caller of the website role like
// any other: every page runs operations of package cabinet through
// (*cabinet.Service).Invoke with its own API key and the client's session
// token, exactly as the JSON API does, and reads nothing else.
//
// Screens: registration by IIN (lookup, name and masked phone, SMS code,
// confirmation), login with login and access code, a forgotten access code,
// changing the access code; "Мои полисы" with the four buckets and their
// counts, policy details with the PDF, paying the next installment and
// renewal; claims in settlement and settled with their missing documents;
// the bonus account with its ledger; notifications; personal data with the
// document scans; settings, with the consents to the processing of personal
// data (given and withdrawn with a button each) and the deletion of the
// client's data, which asks for a ticked confirmation first.
//
// Pages are html/template and one stylesheet, embedded in the binary; there
// is no script at all, so every screen works without JavaScript. Forms are
// plain POSTs answered by a redirect (post/redirect/get); a form the service
// refused is shown again with each error next to the field it names.
//
// Security:
//   - The session token the Login operation returns lives only in an
//     HttpOnly, SameSite=Lax cookie, Secure (and named with the __Host-
//     prefix) when the request came over TLS or Config.SecureCookies says the
//     site is behind a TLS proxy.
//   - Every POST carries a CSRF token in a hidden field: an HMAC under
//     Config.Key of the session token, or before login of a random
//     anti-forgery cookie. A POST without a matching token is refused with 403.
//   - Every answer carries a Content-Security-Policy that allows nothing but
//     the site's own stylesheet and images and forms posting to itself, and
//     pages with personal data are never cached.
//   - No personal data goes into a URL: IINs, phones and codes travel in POST
//     bodies only; URLs carry opaque policy, claim, notification and scan IDs.
//     Nothing the client typed is logged: only errors the service did not
//     classify, with the request ID and the operation's name.
package web
