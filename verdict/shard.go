package verdict

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/memnet/memnet/data"
)

// Shard is the part i of k of a dataset (0 ≤ i < k): the points whose
// PointHash is i mod k. Points with equal coordinates have equal hashes, so
// repeated rows and rows that would conflict land in one shard.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// MaxShards bounds k (a partial verdict lists the shards it covers).
const MaxShards = 1 << 20

// ParseShard reads "i/k" (0 ≤ i < k ≤ MaxShards).
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	k, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || k < 1 || k > MaxShards || i < 0 || i >= k {
		return Shard{}, fmt.Errorf("--shard %q: want i/k with 0 ≤ i < k ≤ %d", s, MaxShards)
	}
	return Shard{i, k}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// PointHash is the first 8 bytes (big-endian) of the SHA-256 of a point's
// exact coordinates: each float64's bit pattern, little-endian, in order,
// with −0 written as +0 (data validation has already made it +0; NaN does
// not occur in validated data).
func PointHash(x []float64) uint64 {
	b := make([]byte, 0, 8*len(x))
	for _, v := range x {
		if v == 0 {
			v = 0
		}
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	s := sha256.Sum256(b)
	return binary.BigEndian.Uint64(s[:8])
}

// ShardOf returns the index of the shard of k that holds x: PointHash(x) mod k.
func ShardOf(x []float64, k int) int { return int(PointHash(x) % uint64(k)) }

// Select returns the part of ds in shard s: its distinct points whose
// ShardOf is s.Index, in order, with their rows, and the repeated rows of
// those points counted in Duplicates; index[j] is the index in ds of the
// part's point j. The points are shared with ds.
func Select(ds *data.Dataset, s Shard) (part *data.Dataset, index []int) {
	in := make([]bool, ds.N())
	sub := &data.Dataset{Name: ds.Name, Classes: ds.Classes}
	newIndex := make([]int, ds.N())
	for i, x := range ds.X {
		if ShardOf(x, s.Count) != s.Index {
			continue
		}
		in[i] = true
		newIndex[i] = len(sub.X)
		index = append(index, i)
		sub.X = append(sub.X, x)
		sub.Y = append(sub.Y, ds.Y[i])
		if len(ds.Rows) == ds.N() {
			sub.Rows = append(sub.Rows, ds.Rows[i])
		} else {
			sub.Rows = append(sub.Rows, i+1)
		}
	}
	rows := 0
	for _, i := range ds.Source {
		if in[i] {
			sub.Source = append(sub.Source, newIndex[i])
			rows++
		}
	}
	if len(ds.Source) == 0 {
		rows = len(sub.X)
	}
	sub.Duplicates = rows - len(sub.X)
	return sub, index
}
