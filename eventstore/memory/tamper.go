package memory

import (
	"bytes"
	"slices"
)

// The Tamper methods change stored rows behind the store's back, the way
// someone with write access to a database could, so that the conformance
// suite can check that Verify notices. They bypass the hash chain on
// purpose; nothing but tests should call them. A row that does not exist is
// left alone.

// TamperData replaces the stored payload of one event.
func (s *Store) TamperData(stream string, version int64, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.indexOf(stream, version); i >= 0 {
		s.streams[stream][i].Data = bytes.Clone(data)
	}
}

// TamperDelete removes one event from its stream, the global log and the ID
// index, leaving the stream head as it was.
func (s *Store) TamperDelete(stream string, version int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.indexOf(stream, version)
	if i < 0 {
		return
	}
	r := s.streams[stream][i]
	s.streams[stream] = slices.Delete(s.streams[stream], i, i+1)
	if j := slices.Index(s.log, r); j >= 0 {
		s.log = slices.Delete(s.log, j, j+1)
	}
	delete(s.byID, r.ID)
}

// TamperSwap swaps two events' places in their stream; each keeps its
// version, so the stream reads out of order.
func (s *Store) TamperSwap(stream string, v1, v2 int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, j := s.indexOf(stream, v1), s.indexOf(stream, v2)
	if i < 0 || j < 0 {
		return
	}
	rows := s.streams[stream]
	rows[i], rows[j] = rows[j], rows[i]
}

// indexOf finds the row with the given version in a stream's slice, or -1.
// Callers hold s.mu.
func (s *Store) indexOf(stream string, version int64) int {
	return slices.IndexFunc(s.streams[stream], func(r *row) bool { return r.Version == version })
}
