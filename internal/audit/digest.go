package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/kabinet/kabinet/eventstore"
)

// messageTag separates checkpoint signatures from anything else the same
// key might ever sign, and names the format.
const messageTag = "kabinet audit checkpoint v1"

// headsDigest hashes heads given in byte order of their stream names. It
// refuses heads out of order, so that the digest of a set of heads has one
// value whichever way they were read.
type headsDigest struct {
	h    hash.Hash
	n    int64
	last string
}

func newHeadsDigest() *headsDigest { return &headsDigest{h: sha256.New()} }

func (d *headsDigest) add(h eventstore.Head) error {
	if d.n > 0 && h.Stream <= d.last {
		return fmt.Errorf("heads digest: stream %q comes after %q: heads must be in byte order", h.Stream, d.last)
	}
	writeField(d.h, []byte(h.Stream))
	writeInt(d.h, uint64(h.Version))
	writeField(d.h, h.Hash)
	d.n++
	d.last = h.Stream
	return nil
}

// count is the number of heads added.
func (d *headsDigest) count() int64 { return d.n }

func (d *headsDigest) sum() []byte { return d.h.Sum(nil) }

// signedMessage is the byte string that a checkpoint's signature covers.
func signedMessage(at time.Time, pos eventstore.Position, streams int64, headsDigest []byte) []byte {
	var b bytes.Buffer
	writeField(&b, []byte(messageTag))
	writeInt(&b, uint64(at.UnixMicro()))
	writeInt(&b, pos.Tx)
	writeInt(&b, pos.Seq)
	writeInt(&b, uint64(streams))
	writeField(&b, headsDigest)
	return b.Bytes()
}

// writeField writes b with a uint32 length prefix, so that no two lists
// of fields share an encoding.
func writeField(w io.Writer, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	_, _ = w.Write(n[:])
	_, _ = w.Write(b)
}

func writeInt(w io.Writer, v uint64) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], v)
	_, _ = w.Write(n[:])
}
