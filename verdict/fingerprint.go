package verdict

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"math/bits"

	"github.com/memnet/memnet/data"
)

// Fingerprint is a composable fingerprint of a multiset of labeled rows
// (an additive multiset hash in the sense of Clarke et al., "Incremental
// multiset hash functions", 2003): the sum modulo 2^256 of RowDigest over
// the rows, each repeated row counted again. The sum does not depend on
// the rows' order or grouping, so the fingerprints of disjoint parts of a
// dataset (shards, file ranges) add up to the whole's, and no part needs
// to read another. docs/scale.md states what it guarantees and what not.
type Fingerprint struct {
	sum [4]uint64 // little-endian 64-bit limbs
}

// RowDigest is the SHA-256 of one labeled row's exact encoding: the
// domain "memnet-row-1", a zero byte, the dimension (8 bytes), each
// coordinate's float64 bit pattern with −0 written as +0 (8 bytes each),
// the label's length (8 bytes) and its bytes; integers little-endian. The
// encoding is injective, so equal digests mean equal rows or a SHA-256
// collision.
func RowDigest(x []float64, label string) [32]byte {
	b := make([]byte, 0, 13+8+8*len(x)+8+len(label))
	b = append(b, "memnet-row-1\x00"...)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(x)))
	for _, v := range x {
		if v == 0 {
			v = 0
		}
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(len(label)))
	b = append(b, label...)
	return sha256.Sum256(b)
}

// AddDigest adds times copies of a row digest (read as a big-endian
// 256-bit integer) to f, modulo 2^256.
func (f *Fingerprint) AddDigest(d [32]byte, times uint64) {
	var v [4]uint64
	for i := range v {
		v[i] = binary.BigEndian.Uint64(d[24-8*i:])
	}
	f.sum = add256(f.sum, mulSmall(v, times))
}

// AddRow adds one labeled row to f.
func (f *Fingerprint) AddRow(x []float64, label string) { f.AddDigest(RowDigest(x, label), 1) }

// Add adds g to f (the fingerprint of the union of two disjoint multisets).
func (f *Fingerprint) Add(g Fingerprint) { f.sum = add256(f.sum, g.sum) }

func add256(a, b [4]uint64) [4]uint64 {
	var c uint64
	for i := range a {
		a[i], c = bits.Add64(a[i], b[i], c)
	}
	return a
}

// mulSmall is v·k modulo 2^256.
func mulSmall(v [4]uint64, k uint64) [4]uint64 {
	var out [4]uint64
	var carry uint64
	for i := range v {
		hi, lo := bits.Mul64(v[i], k)
		var c uint64
		out[i], c = bits.Add64(lo, carry, 0)
		carry = hi + c
	}
	return out
}

// String is the sum as 64 lowercase hex digits (big-endian).
func (f Fingerprint) String() string {
	var b [32]byte
	for i, w := range f.sum {
		binary.BigEndian.PutUint64(b[24-8*i:], w)
	}
	return hex.EncodeToString(b[:])
}

// ParseFingerprint reads String's form (exactly 64 lowercase hex digits).
func ParseFingerprint(s string) (Fingerprint, error) {
	var f Fingerprint
	if len(s) != 64 {
		return f, errors.New("a fingerprint is 64 hex digits")
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return f, errors.New("a fingerprint is 64 lowercase hex digits")
		}
	}
	b, _ := hex.DecodeString(s)
	for i := range f.sum {
		f.sum[i] = binary.BigEndian.Uint64(b[24-8*i:])
	}
	return f, nil
}

// FingerprintOf is the fingerprint of every row of ds: each distinct
// point with its label, counted once per row it stands for (ds.Source; a
// dataset without Source has one row per point).
func FingerprintOf(ds *data.Dataset) Fingerprint {
	times := make([]uint64, ds.N())
	if len(ds.Source) == 0 {
		for i := range times {
			times[i] = 1
		}
	}
	for _, i := range ds.Source {
		times[i]++
	}
	var f Fingerprint
	for i, x := range ds.X {
		if times[i] > 0 {
			f.AddDigest(RowDigest(x, ds.Classes[ds.Y[i]]), times[i])
		}
	}
	return f
}
