// Package soap is the website API over SOAP 1.1 and 1.2, document/literal
// wrapped, written with encoding/xml. It offers every operation of package
// cabinet and serves a WSDL 1.1 document with an inline XSD, both generated
// at start-up from the operations' Go types (cabinet.Describe), so the
// contract and the code cannot drift apart.
//
// Protocol rules (see NewHandler):
//   - the SOAP version is the Envelope's namespace, and the reply is in kind:
//     text/xml for 1.1, application/soap+xml for 1.2;
//   - the operation is the Body child's qualified name in urn:kabinet:v1; the
//     SOAPAction header is only a hint and is not needed;
//   - request children may be qualified or unqualified: both decode;
//   - every failure is a SOAP Fault carrying a KabinetFault detail with a
//     stable code (cabinet.Code) and the request field at fault. SOAP 1.1
//     faults answer HTTP 500; SOAP 1.2 Sender faults 400 and the rest 500;
//   - DTDs, entity declarations, processing instructions, bodies over 1 MiB,
//     charsets other than UTF-8 and header blocks marked mustUnderstand are
//     refused with a Fault before any operation runs.
//
// Credentials travel in HTTP headers, the same as on the JSON API: X-API-Key,
// Authorization: Bearer <session token>, Idempotency-Key and X-Request-ID,
// which is echoed back (and made up when absent).
package soap
