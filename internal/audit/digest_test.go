package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
)

// TestSignedBytesAreTheDocumentedOnes rebuilds the heads digest and the
// signed message from the package documentation alone: a verifier written
// elsewhere must get the same bytes.
func TestSignedBytesAreTheDocumentedOnes(t *testing.T) {
	heads := []eventstore.Head{
		{Stream: "client-1", Version: 2, Hash: bytes.Repeat([]byte{1}, 32)},
		{Stream: "policy-B", Version: 7, Hash: bytes.Repeat([]byte{2}, 32)},
		{Stream: "policy-a", Version: 1, Hash: bytes.Repeat([]byte{3}, 32)},
	}
	u32 := func(n int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }
	u64 := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

	var want []byte
	for _, h := range heads {
		want = append(want, u32(len(h.Stream))...)
		want = append(want, h.Stream...)
		want = append(want, u64(uint64(h.Version))...)
		want = append(want, u32(len(h.Hash))...)
		want = append(want, h.Hash...)
	}
	wantDigest := sha256.Sum256(want)
	d := newHeadsDigest()
	for _, h := range heads {
		require.NoError(t, d.add(h))
	}
	assert.Equal(t, wantDigest[:], d.sum())
	assert.Equal(t, int64(3), d.count())

	at := time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)
	pos := eventstore.Position{Tx: 991, Seq: 12}
	tag := "kabinet audit checkpoint v1"
	msg := append(u32(len(tag)), tag...)
	msg = append(msg, u64(uint64(at.UnixMicro()))...)
	msg = append(msg, u64(991)...)
	msg = append(msg, u64(12)...)
	msg = append(msg, u64(3)...)
	msg = append(msg, u32(32)...)
	msg = append(msg, wantDigest[:]...)
	assert.Equal(t, msg, signedMessage(at, pos, 3, d.sum()))
}

func TestHeadsDigestRefusesHeadsOutOfByteOrder(t *testing.T) {
	d := newHeadsDigest()
	require.NoError(t, d.add(eventstore.Head{Stream: "policy-B", Version: 1}))
	assert.Error(t, d.add(eventstore.Head{Stream: "policy-A", Version: 1}), "A sorts before B")
	assert.Error(t, d.add(eventstore.Head{Stream: "policy-B", Version: 1}), "a stream twice")
	require.NoError(t, d.add(eventstore.Head{Stream: "policy-a", Version: 1}), "bytes, not a locale: a sorts after B")
}

func TestHeadsDigestSeparatesFields(t *testing.T) {
	digest := func(heads ...eventstore.Head) []byte {
		d := newHeadsDigest()
		for _, h := range heads {
			require.NoError(t, d.add(h))
		}
		return d.sum()
	}
	base := digest(eventstore.Head{Stream: "policy-1", Version: 3, Hash: []byte{1, 2}})
	for name, other := range map[string][]byte{
		"another version":             digest(eventstore.Head{Stream: "policy-1", Version: 4, Hash: []byte{1, 2}}),
		"another hash":                digest(eventstore.Head{Stream: "policy-1", Version: 3, Hash: []byte{1, 3}}),
		"another stream":              digest(eventstore.Head{Stream: "policy-2", Version: 3, Hash: []byte{1, 2}}),
		"a byte moved between fields": digest(eventstore.Head{Stream: "policy-1\x00", Version: 3, Hash: []byte{2}}),
		"no heads":                    digest(),
	} {
		assert.NotEqual(t, base, other, name)
	}
}
