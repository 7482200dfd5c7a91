package soap

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// MaxBodyBytes is the largest request body accepted, the same on both protocols.
const MaxBodyBytes = cabinet.MaxRequestBytes

// Config tunes the handler. The zero value is usable.
type Config struct {
	// Logger receives one error line per request that failed inside the
	// server; nil discards.
	Logger *slog.Logger
	// Address is the absolute URL of the endpoint that the WSDL's ports
	// point at, such as "http://127.0.0.1:8080/soap". When empty, each WSDL
	// request gets the URL it was fetched from (scheme, Host and path).
	Address string
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	if c.Address == "" {
		return nil
	}
	u, err := url.Parse(c.Address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("soap: Address %q must be an absolute http or https URL", c.Address)
	}
	return nil
}

// Handler serves the SOAP endpoint: POST an envelope, GET ?wsdl for the
// contract.
type Handler struct {
	svc  *cabinet.Service
	log  *slog.Logger
	cfg  Config
	ops  map[string]cabinet.Operation
	reqs map[string]cabinet.Type // the schema of each operation's request
	wsdl wsdl
	// fixed is the WSDL with Config.Address, when one is configured.
	fixed []byte
}

// NewHandler generates the WSDL of every operation in cabinet.Operations and
// returns the handler that serves it and the operations.
func NewHandler(svc *cabinet.Service, cfg Config) (http.Handler, error) {
	if svc == nil {
		return nil, errors.New("soap: a service is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ops := cabinet.Operations()
	doc, _, err := newWSDL(ops)
	if err != nil {
		return nil, fmt.Errorf("soap: generate the WSDL: %w", err)
	}
	h := &Handler{svc: svc, log: cfg.Logger, cfg: cfg, ops: map[string]cabinet.Operation{}, reqs: map[string]cabinet.Type{}, wsdl: doc}
	for _, op := range ops {
		h.ops[op.Name] = op
		h.reqs[op.Name] = cabinet.Describe(op.Request)
	}
	if cfg.Address != "" {
		h.fixed = doc.bytes(cfg.Address)
	}
	return h, nil
}

// ServeHTTP answers every request with a SOAP message: the operation's
// response, the WSDL, or a Fault.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := cabinet.RequestID(r.Header)
	w.Header().Set("X-Request-ID", reqID)
	switch {
	case r.Method == http.MethodPost:
		h.serveEnvelope(w, r, reqID)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && wantsWSDL(r.URL):
		h.serveWSDL(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeFault(w, soap11, http.StatusMethodNotAllowed, &refusal{err: &cabinet.Error{
			Code: cabinet.CodeMalformedRequest, Message: "POST a SOAP envelope, or GET ?wsdl for the contract"}})
	}
}

func wantsWSDL(u *url.URL) bool {
	for k := range u.Query() {
		if strings.EqualFold(k, "wsdl") {
			return true
		}
	}
	return false
}

func (h *Handler) serveWSDL(w http.ResponseWriter, r *http.Request) {
	doc := h.fixed
	if doc == nil {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		doc = h.wsdl.bytes((&url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path}).String())
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(doc)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(doc)
}

func (h *Handler) serveEnvelope(w http.ResponseWriter, r *http.Request, reqID string) {
	ver, charsetOK := fromContentType(r.Header.Get("Content-Type"))
	if !charsetOK {
		writeFault(w, ver, 0, malformed("only UTF-8 is accepted"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeFault(w, ver, 0, malformed("the body is larger than %d bytes", MaxBodyBytes))
			return
		}
		writeFault(w, ver, 0, malformed("the body could not be read"))
		return
	}
	req, ref := decodeEnvelope(body, h.ops, ver)
	if ref != nil {
		writeFault(w, req.version, 0, ref)
		return
	}
	resp, err := h.svc.Invoke(r.Context(), req.op, cabinet.CredentialsFrom(r.Header, reqID), req.payload)
	if err != nil {
		writeFault(w, req.version, 0, &refusal{err: h.errorOf(r.Context(), err, req.op.Name, reqID)})
		return
	}
	if v := reflect.ValueOf(resp); resp == nil || (v.Kind() == reflect.Pointer && v.IsNil()) {
		resp = reflect.New(req.op.Response).Interface()
	}
	out, err := encodeResponse(req.version, req.op.Name, resp)
	if err != nil {
		err = fmt.Errorf("encode the response: %w", err)
		writeFault(w, req.version, 0, &refusal{err: h.errorOf(r.Context(), err, req.op.Name, reqID)})
		return
	}
	w.Header().Set("Content-Type", req.version.contentType())
	w.Header().Set("Content-Length", fmt.Sprint(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// errorOf is what the caller is told of err. An error the service did not
// map is logged here, once, and answered with a generic internal error.
func (h *Handler) errorOf(ctx context.Context, err error, op, reqID string) *cabinet.Error {
	e, ok := cabinet.ErrorOf(err)
	if ok {
		if f := xmlField(h.reqs[op], e.Field); f != e.Field {
			e = &cabinet.Error{Code: e.Code, Field: f, Message: e.Message, RetryAfter: e.RetryAfter}
		}
		return e
	}
	h.log.ErrorContext(ctx, "soap operation", "correlation_id", reqID, "operation", op, "error", err)
	return &cabinet.Error{Code: cabinet.CodeInternal, Message: "internal error; quote request ID " + reqID}
}

// encodeResponse writes the envelope with the operation's response element.
func encodeResponse(v version, op string, resp any) ([]byte, error) {
	var b strings.Builder
	b.Grow(1024)
	b.WriteString(xml.Header)
	b.WriteString(envelopeStart(v))
	b.WriteString(bodyStart(v))
	enc := xml.NewEncoder(&b)
	if err := enc.EncodeElement(resp, xml.StartElement{Name: xml.Name{Space: Namespace, Local: op + "Response"}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	b.WriteString(bodyEnd(v))
	b.WriteString(envelopeEnd(v))
	return []byte(b.String()), nil
}

// fromContentType guesses the version from the Content-Type, for faults
// before the Envelope is read, and checks that the charset, if given, is
// UTF-8.
func fromContentType(ct string) (v version, charsetOK bool) {
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return soap11, true // the Envelope decides
	}
	v = soap11
	if mediaType == "application/soap+xml" {
		v = soap12
	}
	cs, ok := params["charset"]
	return v, !ok || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "utf8")
}
