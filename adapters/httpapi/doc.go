// Package httpapi is the website API as JSON over HTTP under /api/v1, with
// the OpenAPI 3 document that describes it at /api/v1/openapi.json. It offers
// exactly the operations of package cabinet, each at one method and path of
// the route table (routes.go), and adds nothing to their rules: it binds a
// request, calls cabinet.Service.Invoke and writes what comes back.
//
// Requests: path and query parameters and the members of a JSON body fill
// the request by their JSON names. Bodies are strict: an unknown member, a
// member of the wrong type or a missing required member is refused with
// INVALID_ARGUMENT naming it, a body that is not a JSON object with
// MALFORMED_REQUEST, and so is a body over 1 MiB.
//
// Responses: 200 with the operation's response as JSON. Arrays are always
// present, empty as [], never null; optional members are absent rather than
// null. GET /api/v1/policies/{policyId}/document answers with the raw PDF
// instead when the Accept header prefers application/pdf.
//
// Errors are RFC 9457 problem documents (application/problem+json) carrying
// the stable cabinet code, the field at fault and the request ID, and a
// Retry-After header when the caller should wait. An error the cabinet did
// not classify is logged once with the request ID and answered as INTERNAL
// without its text.
//
// The OpenAPI document is generated at start-up from the route table and
// cabinet.Describe, so it cannot drift from what the handler does.
package httpapi
