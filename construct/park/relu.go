package park

import (
	"fmt"
	"math/big"

	"github.com/memnet/memnet/nn"
)

// slopeFor returns λ = 2^e, the smallest power of two (e ≥ 0) with λ ≥ 1/margin.
func slopeFor(margin *big.Rat) *big.Rat {
	inv := new(big.Rat).Inv(margin)
	e := max(0, inv.Num().BitLen()-inv.Denom().BitLen()-1)
	for pow2(e).Cmp(inv) < 0 {
		e++
	}
	return pow2(e)
}

// toReLU converts a STEP+ID program into an exactly equivalent ReLU program
// on the data, in the spirit of Lemma 12 (spec §8, "exact ReLU, same
// depth", ours):
//   - a STEP unit with margin γ (pre ≥ 0 or pre ≤ −γ on the data) becomes the
//     pair ReLU(λ·pre + 1), ReLU(λ·pre) with λ = 2^⌈log2(1/γ)⌉, whose
//     difference is exactly STEP(pre) there;
//   - an ID unit with pre ≥ lo on the data becomes ReLU(pre + c) with
//     c = max(0, −lo), and consumers subtract c (every ID unit of this
//     construction has lo = 0: all carried values are non-negative).
//
// Depth is unchanged; a width-3 layer [ID, ID, STEP] becomes 4 ReLUs and
// [ID, STEP, STEP] 5. The margins are proved by the construction (projection
// margin γ on the x-chain, 2^-(BD+D) on the label chain, 1 on integer-valued
// AND units) and the result is verified exactly anyway.
func toReLU(p *program) (*program, error) {
	q := &program{v: p.v, b: p.b}
	var prev []expr // image of each neuron of the previous STEP+ID layer
	rewrite := func(e expr) expr {
		if prev == nil {
			return e
		}
		return e.substitute(prev)
	}
	for li, us := range p.layers {
		var nus []unit
		img := make([]expr, len(us))
		for j, u := range us {
			pre := rewrite(u.pre)
			switch u.act {
			case nn.Identity:
				if u.lo == nil {
					return nil, fmt.Errorf("layer %d neuron %d: identity without a lower bound", li+1, j)
				}
				c := new(big.Rat)
				if u.lo.Sign() < 0 {
					c.Neg(u.lo)
				}
				k := len(nus)
				nus = append(nus, unit{act: nn.ReLU, pre: pre.plusConst(c)})
				img[j] = ref(k).plusConst(new(big.Rat).Neg(c))
			case nn.Step:
				if u.margin == nil || u.margin.Sign() <= 0 {
					return nil, fmt.Errorf("layer %d neuron %d: step without a margin", li+1, j)
				}
				lam := slopeFor(u.margin)
				z := konst(new(big.Rat)).add(pre, lam)
				k := len(nus)
				nus = append(nus, unit{act: nn.ReLU, pre: z.plusConst(rat(1))}, unit{act: nn.ReLU, pre: z})
				img[j] = ref(k).add(ref(k+1), rat(-1))
			default:
				return nil, fmt.Errorf("layer %d neuron %d: cannot convert %v", li+1, j, u.act)
			}
		}
		q.emit(p.stage[li], nus...)
		prev = img
	}
	q.out = rewrite(p.out)
	return q, nil
}
