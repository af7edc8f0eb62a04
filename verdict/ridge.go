// This file is the ridge sweep: an exact evaluator for the shallow networks of the
// classical baselines (construct/zhang, construct/ysj), whose every neuron of
// the first layers is a function of one scalar s = w·x:
//
//	(A) a projection neuron s = σ(w·x + β), then ridge neurons σ(c_j s + b_j), or
//	(B) a first layer whose rows all equal w: ridge neurons σ(s + b_j), s = w·x,
//
// followed by an affine map (the read-out, or one more ReLU layer and then
// the read-out). A generic evaluation costs (ridge width) × (next width) per
// point, N² for N points; here the points are sorted by s and swept once, so
// that every output of the affine map is kept as α_o·s + β_o over the active
// ridge neurons and updated only when s crosses a neuron's threshold. The
// stored network is evaluated, in integer fixed point (dyadic weights), and
// judged as nn.Verify does; networks of any other shape, or with non-dyadic
// weights, are handed to nn.ExactVerdict.

package verdict

import (
	"context"
	"math/big"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/memnet/memnet/construct/project"
	"github.com/memnet/memnet/nn"

	"github.com/memnet/memnet/internal/par"
)

// Evaluator names the evaluator in reports.
const RidgeEvaluator = "ridge sweep, integer fixed point (dyadic weights)"

type shape struct {
	w    []float64
	pre  *big.Rat // case A: s = σ(w·x + pre); nil in case B
	c, b []*big.Rat
	m    [][]*big.Rat // out_o = m0_o + Σ_j m[o][j] σ(c_j s + b_j)
	m0   []*big.Rat
	post *nn.Layer // nil: outputs are the network's; else σ(out) then post
}

func allReLU(l *nn.Layer) bool {
	for _, a := range l.Act {
		if a != nn.ReLU {
			return false
		}
	}
	return true
}

// recognize returns the ridge shape of net, or nil.
func recognize(net *nn.Network) *shape {
	if len(net.Hidden) == 0 || !net.IsDyadic() || net.Check() != nil {
		return nil
	}
	l1 := &net.Hidden[0]
	if !allReLU(l1) {
		return nil
	}
	s := &shape{}
	var ridge *nn.Layer
	var rest []nn.Layer
	row := l1.W[0]
	if l1.Out() == 1 && len(net.Hidden) >= 2 && net.Hidden[1].In() == 1 && allReLU(&net.Hidden[1]) {
		ridge = &net.Hidden[1]
		s.pre = l1.B[0]
		for j := range ridge.B {
			s.c = append(s.c, ridge.W[j][0])
			s.b = append(s.b, ridge.B[j])
		}
		rest = net.Hidden[2:]
	} else {
		for j := range l1.W {
			for i := range row {
				if l1.W[j][i].Cmp(row[i]) != 0 {
					return nil
				}
			}
			s.c = append(s.c, big.NewRat(1, 1))
			s.b = append(s.b, l1.B[j])
		}
		rest = net.Hidden[1:]
	}
	for _, r := range row {
		f, exact := r.Float64()
		if !exact {
			return nil
		}
		s.w = append(s.w, f)
	}
	var mp *nn.Layer
	switch {
	case len(rest) == 0:
		mp = &net.Readout
	case len(rest) == 1 && allReLU(&rest[0]):
		mp = &rest[0]
		s.post = &net.Readout
	default:
		return nil
	}
	s.m, s.m0 = mp.W, mp.B
	return s
}

// IsRidge reports whether net has a shape the ridge sweep evaluates.
func IsRidge(net *nn.Network) bool { return recognize(net) != nil }

// scaled returns r·2^e as an integer (r dyadic with at most e fractional bits).
func scaled(r *big.Rat, e int) *big.Int {
	m, k, _ := nn.DyadicParts(r)
	if e-k >= 0 {
		return m.Lsh(m, uint(e-k))
	}
	return m.Rsh(m, uint(k-e)) // exact: k > e only when m has trailing zeros accounted in k < 0
}

func fracBits(r *big.Rat) int {
	_, e, _ := nn.DyadicParts(r)
	return max(e, 0)
}

// VerifyRidge evaluates net exactly on every point and judges it as
// nn.ExactVerdict does, with the sweep when the shape allows it.
func VerifyRidge(ctx context.Context, net *nn.Network, xs [][]float64, y []int, m int, progress func(done int64)) (*nn.Report, error) {
	s := recognize(net)
	if s == nil || len(xs) == 0 || len(xs) != len(y) {
		return nn.ExactVerdict(ctx, net, xs, y, m, nn.ExactOptions{Progress: progress})
	}
	t0 := time.Now()
	n := len(xs)
	proj := project.Along(xs, s.w)
	// s_i = S_i·2^-es.
	es := proj.Scale
	S := make([]*big.Int, n)
	if s.pre != nil {
		es = max(es, fracBits(s.pre))
		p := scaled(s.pre, es)
		for i := range S {
			v := new(big.Int).Lsh(proj.Tau[i], uint(es-proj.Scale))
			v.Add(v, p)
			if v.Sign() < 0 {
				v.SetInt64(0)
			}
			S[i] = v
		}
	} else {
		for i := range S {
			S[i] = proj.Tau[i]
		}
	}
	// z_j = (C_j S + B_j)·2^-ez.
	ez := 0
	for j := range s.c {
		ez = max(ez, fracBits(s.c[j])+es, fracBits(s.b[j]))
	}
	k := len(s.c)
	C := make([]*big.Int, k)
	B := make([]*big.Int, k)
	for j := range C {
		C[j] = scaled(s.c[j], ez-es)
		B[j] = scaled(s.b[j], ez)
	}
	// out_o = Σ M_oj z_j + M0_o at scale em+ez.
	em := 0
	for o := range s.m {
		for _, v := range s.m[o] {
			em = max(em, fracBits(v))
		}
		em = max(em, fracBits(s.m0[o])-ez)
	}
	outs := len(s.m)
	M := make([][]*big.Int, outs)
	M0 := make([]*big.Int, outs)
	for o := range M {
		M[o] = make([]*big.Int, k)
		for j := range k {
			M[o][j] = scaled(s.m[o][j], em)
		}
		M0[o] = scaled(s.m0[o], em+ez)
	}
	// The read-out after σ, at scale em+ez+er.
	er := 0
	var R [][]*big.Int
	var R0 []*big.Int
	if s.post != nil {
		for o := range s.post.W {
			for _, v := range s.post.W[o] {
				er = max(er, fracBits(v))
			}
			er = max(er, fracBits(s.post.B[o])-em-ez)
		}
		for o := range s.post.W {
			row := make([]*big.Int, outs)
			for j := range row {
				row[j] = scaled(s.post.W[o][j], er)
			}
			R = append(R, row)
			R0 = append(R0, scaled(s.post.B[o], em+ez+er))
		}
	}
	finalScale := em + ez + er
	den := new(big.Int).Lsh(big.NewInt(1), uint(finalScale))

	// Neurons by threshold: pos (C > 0) become active as S grows, neg
	// (C < 0) inactive; constant ones are folded into the base.
	var pos, neg, con []int
	for j := range C {
		switch C[j].Sign() {
		case 1:
			pos = append(pos, j)
		case -1:
			neg = append(neg, j)
		default:
			if B[j].Sign() > 0 {
				con = append(con, j)
			}
		}
	}
	thr := make([]*big.Rat, k)
	for _, j := range append(append([]int{}, pos...), neg...) {
		thr[j] = new(big.Rat).SetFrac(new(big.Int).Neg(B[j]), C[j])
	}
	byThr := func(ids []int) {
		sort.SliceStable(ids, func(a, b int) bool { return thr[ids[a]].Cmp(thr[ids[b]]) < 0 })
	}
	byThr(pos)
	byThr(neg)
	active := func(j int, v *big.Int, tmp *big.Int) bool {
		tmp.Mul(C[j], v)
		tmp.Add(tmp, B[j])
		return tmp.Sign() > 0
	}

	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return S[order[a]].Cmp(S[order[b]]) < 0 })

	r := &nn.Report{Points: n, ExactEvaluator: RidgeEvaluator}
	var correct, equal, done atomic.Int64
	var mu sync.Mutex
	workers := par.Workers()
	chunks := min(n, 4*workers)
	var next atomic.Int64
	// par.Do starts the workers; each takes chunks of the sorted points
	// (sweeping the neurons from the start) and checks ctx every 1024 points
	err := par.Do(ctx, workers, 1, nil, func(_, _ int, _ struct{}) error {
		{
			tmp := new(big.Int)
			alpha := make([]*big.Int, outs)
			beta := make([]*big.Int, outs)
			val := make([]*big.Int, outs)
			for o := range alpha {
				alpha[o], beta[o], val[o] = new(big.Int), new(big.Int), new(big.Int)
			}
			add := func(j int, sign int) {
				for o := range outs {
					if M[o][j].Sign() == 0 {
						continue
					}
					tmp.Mul(M[o][j], C[j])
					if sign > 0 {
						alpha[o].Add(alpha[o], tmp)
					} else {
						alpha[o].Sub(alpha[o], tmp)
					}
					tmp.Mul(M[o][j], B[j])
					if sign > 0 {
						beta[o].Add(beta[o], tmp)
					} else {
						beta[o].Sub(beta[o], tmp)
					}
				}
			}
			fin := make([]*big.Int, max(len(R), 1))
			for q := range fin {
				fin[q] = new(big.Int)
			}
			o := make([]*big.Rat, len(fin))
			for q := range o {
				o[q] = new(big.Rat)
			}
			if s.post == nil {
				o = make([]*big.Rat, outs)
				for q := range o {
					o[q] = new(big.Rat)
				}
			}
			lbl := new(big.Rat)
			for {
				c := int(next.Add(1)) - 1
				if c >= chunks {
					return nil
				}
				lo, hi := c*n/chunks, (c+1)*n/chunks
				if lo >= hi {
					continue
				}
				for q := range outs {
					alpha[q].SetInt64(0)
					beta[q].Set(M0[q])
				}
				for _, j := range con {
					add(j, 1)
				}
				ip, jn := 0, 0
				for _, j := range neg {
					add(j, 1)
				}
				for idx := lo; idx < hi; idx++ {
					if idx%1024 == 0 && ctx.Err() != nil {
						return ctx.Err()
					}
					i := order[idx]
					v := S[i]
					for ip < len(pos) && active(pos[ip], v, tmp) {
						add(pos[ip], 1)
						ip++
					}
					for jn < len(neg) && !active(neg[jn], v, tmp) {
						add(neg[jn], -1)
						jn++
					}
					for q := range outs {
						val[q].Mul(alpha[q], v)
						val[q].Add(val[q], beta[q])
					}
					if s.post == nil {
						for q := range outs {
							o[q].SetFrac(val[q], den)
						}
					} else {
						for p := range R {
							fin[p].Set(R0[p])
							for q := range outs {
								if val[q].Sign() > 0 && R[p][q].Sign() != 0 {
									tmp.Mul(R[p][q], val[q])
									fin[p].Add(fin[p], tmp)
								}
							}
							o[p].SetFrac(fin[p], den)
						}
					}
					if k := nn.ClassOfRat(o, m); k >= 0 && k == y[i] {
						correct.Add(1)
					} else {
						mu.Lock()
						r.Wrong = append(r.Wrong, i) // the 20 lowest are kept below
						mu.Unlock()
					}
					if len(o) == 1 && o[0].Cmp(lbl.SetInt64(int64(y[i]))) == 0 {
						equal.Add(1)
					}
					if progress != nil {
						progress(done.Add(1))
					} else {
						done.Add(1)
					}
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	sort.Ints(r.Wrong)
	if len(r.Wrong) > 20 {
		r.Wrong = r.Wrong[:20]
	}
	r.ExactCorrect, r.ExactEqual = int(correct.Load()), int(equal.Load())
	r.Exact = r.ExactCorrect == n
	r.ExactSeconds = time.Since(t0).Seconds()
	return r, nil
}
