// Package adapters is where kabinet meets the outside world, one
// subpackage per technology or partner:
//
//   - inbound: soap (the website's SOAP 1.1/1.2 API with its WSDL), httpapi
//     (the same operations as JSON with an OpenAPI document), web (an
//     optional reference cabinet);
//   - partners, each a port with an HTTP client and a simulator: kias, esbd,
//     sms, payments; and mail (SMTP), pdf (policy documents), blobstore
//     (encrypted scans);
//   - bus, the only package that imports watermill: it relays the event log
//     to a publisher and runs the reactions.
//
// Dependencies point inward: adapters may import domain, commands,
// projections and eventstore; nothing but cmd imports adapters.
package adapters
