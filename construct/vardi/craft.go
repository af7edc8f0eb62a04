package vardi

import (
	"fmt"
	"math/big"
)

// Interval is one of Stage II's intervals after crafting.
//
// Paper: Stage II (Lemma A.4 idea): sorted points cut into m intervals of n
// points; interval j is recognised by its range and emits two crafted
// integers packing its points' values and labels. Ours (spec §6.2): the
// prefix-XOR pre-coding and the trailing 1.
type Interval struct {
	// Lo = ⌊t_first⌋ and Hi = ⌊t_last⌋ + 1 bound the interval's t values.
	Lo, Hi *big.Int
	// U = 2·prefixXOR(s^u)+1 and W = 2·prefixXOR(s^w)+1, where s^u packs the
	// floors ⌊t⌋ of the interval's points (ρ bits each, most significant
	// first, padded with zeros to n entries) and s^w their labels (c bits).
	U, W *big.Int
}

// PrefixXOR returns b with b_i = s_1 ⊕ … ⊕ s_i for the M-bit string s
// (bit 1 the most significant): the inverse Gray code, computed as
// b = s ⊕ (s≫1) ⊕ (s≫2) ⊕ … by doubling shifts.
//
// Ours (spec §6.2): needed because Stage III reads bits with the tent map,
// whose thresholded iterates give XORs of adjacent bits (spec §7.1).
func PrefixXOR(s *big.Int, m int) *big.Int {
	b := new(big.Int).Set(s)
	tmp := new(big.Int)
	for k := 1; k < m; k *= 2 {
		tmp.Rsh(b, uint(k))
		b.Xor(b, tmp)
	}
	return b
}

// Pack writes vals (each < 2^width) as consecutive width-bit chunks, the
// first value in the most significant chunk, padded with zero chunks to n.
// It is BIN_{kρ+1:(k+1)ρ} of the paper read backwards.
func Pack(vals []*big.Int, width, n int) (*big.Int, error) {
	if len(vals) > n {
		return nil, fmt.Errorf("vardi: %d values for %d chunks", len(vals), n)
	}
	s := new(big.Int)
	for k := range n {
		s.Lsh(s, uint(width))
		if k < len(vals) {
			if vals[k].Sign() < 0 || vals[k].BitLen() > width {
				return nil, fmt.Errorf("vardi: value %v does not fit in %d bits", vals[k], width)
			}
			s.Or(s, vals[k])
		}
	}
	return s, nil
}

// Craft returns the crafted integer 2·PrefixXOR(Pack(vals))+1 for n chunks of width bits.
//
// Paper: the crafted integers u_j, w_j of Stage II. Ours: the pre-coding and
// the trailing 1 (spec §6.2), which keeps every tent iterate off the fold.
func Craft(vals []*big.Int, width, n int) (*big.Int, error) {
	s, err := Pack(vals, width, n)
	if err != nil {
		return nil, err
	}
	b := PrefixXOR(s, width*n)
	b.Lsh(b, 1)
	b.SetBit(b, 0, 1)
	return b, nil
}

// DecodeTent runs the software model of Stage III's bit extraction on a
// crafted integer z0 = 2u+1 of m = n·width bits: Z_{k+1} = T(Z_k) with
// T(Z) = 2Z for Z ≤ 2^m and 2^(m+2) − 2Z otherwise, bit k+1 = [Z_k > 2^m], and
// returns the n chunks. It must give back the packed values (spec §8.3).
//
// Ours: the key lemma of spec §7.1 (tent map on a prefix-XOR-coded string).
func DecodeTent(z0 *big.Int, width, n int) []*big.Int {
	m := width * n
	half := new(big.Int).Lsh(big.NewInt(1), uint(m))
	s := new(big.Int).Lsh(big.NewInt(1), uint(m+1))
	z := new(big.Int).Set(z0)
	out := make([]*big.Int, n)
	for q := range n {
		a := new(big.Int)
		for range width {
			a.Lsh(a, 1)
			if z.Cmp(half) > 0 {
				a.SetBit(a, 0, 1)
				z.Sub(s, z)
			}
			z.Lsh(z, 1)
		}
		out[q] = a
	}
	return out
}
