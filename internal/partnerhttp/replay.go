package partnerhttp

import (
	"bytes"
	"net/http"
	"sync"
)

// ReplayWrites wraps a partner simulator's handler so that it honours
// Idempotency-Key as a real partner does: the first successful (2xx) answer
// to a write with a key is remembered and sent again, unexecuted, for every
// later request with the same method, path and key. Failed answers are not
// remembered, so a retry after a 5xx runs again. Keys are kept in memory for
// the handler's life, which suits simulators and tests, not production.
func ReplayWrites(next http.Handler) http.Handler {
	return &replayer{next: next, seen: map[string]recorded{}}
}

type recorded struct {
	status int
	header http.Header
	body   []byte
}

type replayer struct {
	next http.Handler
	mu   sync.Mutex
	seen map[string]recorded
	// busy serialises requests that share a key, so a retry racing its
	// first attempt waits for it instead of running twice.
	busy sync.Map
}

func (p *replayer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || !isWrite(r.Method) {
		p.next.ServeHTTP(w, r)
		return
	}
	id := r.Method + " " + r.URL.EscapedPath() + " " + key
	lock, _ := p.busy.LoadOrStore(id, &sync.Mutex{})
	lock.(*sync.Mutex).Lock()
	defer lock.(*sync.Mutex).Unlock()

	p.mu.Lock()
	rec, ok := p.seen[id]
	p.mu.Unlock()
	if !ok {
		cw := &captureWriter{header: http.Header{}, status: http.StatusOK}
		p.next.ServeHTTP(cw, r)
		rec = recorded{status: cw.status, header: cw.header, body: cw.body.Bytes()}
		if rec.status >= 200 && rec.status <= 299 {
			p.mu.Lock()
			p.seen[id] = rec
			p.mu.Unlock()
		}
	}
	for k, vs := range rec.header {
		w.Header()[k] = append([]string(nil), vs...)
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body)
}

type captureWriter struct {
	header  http.Header
	status  int
	body    bytes.Buffer
	written bool
}

func (c *captureWriter) Header() http.Header { return c.header }

func (c *captureWriter) WriteHeader(status int) {
	if !c.written {
		c.status, c.written = status, true
	}
}

func (c *captureWriter) Write(b []byte) (int, error) {
	c.written = true
	return c.body.Write(b)
}
