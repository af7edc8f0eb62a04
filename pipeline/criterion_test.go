package pipeline

import (
	"context"
	"math/big"
	"testing"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/nn"
	"github.com/memnet/memnet/verdict"
)

// constantNet is x ↦ act(0·x + 0) read out as w·h + b (two inputs).
func constantNet(act nn.Activation, w, b *big.Rat) *nn.Network {
	h := nn.NewLayer(2, 1, act)
	ro := nn.NewLayer(1, 1, nn.Identity)
	ro.W[0][0].Set(w)
	ro.B[0].Set(b)
	return &nn.Network{InputDim: 2, Hidden: []nn.Layer{h}, Readout: ro}
}

func xorData(t *testing.T) *data.Dataset {
	ds, err := data.FromRaw("xor", [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, []string{"0", "1", "1", "0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestFileDoesNotChooseCriterion: a file recording regression=true, eps=1
// does not make a constant-½ network pass on XOR classification data: the
// criterion is the caller's (classification by default), the file's record
// is reported as its claim. The regression verdict asked for explicitly is
// computed from the weights whatever method the file names.
func TestFileDoesNotChooseCriterion(t *testing.T) {
	ds := xorData(t)
	half := constantNet(nn.ReLU, big.NewRat(0, 1), big.NewRat(1, 2))
	for _, method := range []string{"park", "hz", "zhang", "no-such-method"} {
		model := &nn.Model{Net: half, Method: method, Classes: ds.Classes, Options: map[string]string{"regression": "true", "eps": "1"}}
		v, err := Verify(context.Background(), model, ds, VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if v.Exact || v.Regression || v.ExactCorrect != 0 || v.FileClaim == "" {
			t.Errorf("method %s: the file's regression claim decided the verdict: %+v", method, v)
		}
		r, err := Verify(context.Background(), model, ds, VerifyOptions{Criterion: verdict.Criterion{Regression: true, Eps: 0.5}})
		if err != nil {
			t.Fatalf("method %s: %v", method, err)
		}
		if !r.Exact || !r.Regression || r.MaxError != 0.5 {
			t.Errorf("method %s: regression within 1/2 of 0/1 targets: %+v", method, r)
		}
		r, err = Verify(context.Background(), model, ds, VerifyOptions{Criterion: verdict.Criterion{Regression: true, Eps: 0.25}})
		if err != nil || r.Exact {
			t.Errorf("method %s: eps 1/4 passed (%v)", method, err)
		}
	}
}

// TestRegressionBoundRoundedOutward: a sigmoid network whose output is
// σ(0)/2 + 2^−60 = 1/4 + 2^−60 at every point has error 1/4 + 2^−60 from
// the target 0, which is NOT within eps = 1/4 (the bound was rounded to the
// nearest float64, 1/4, before the comparison); the same for the exact
// engine with a ReLU unit held at 1/2. The reported bound is rounded up.
func TestRegressionBoundRoundedOutward(t *testing.T) {
	ds, err := data.FromRaw("zero", [][]float64{{0, 0}, {1, 2}}, []string{"0", "0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tiny := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 60))
	for _, c := range []struct {
		name string
		net  *nn.Network
	}{
		{"sigmoid", constantNet(nn.Sigmoid, big.NewRat(1, 2), tiny)},
		{"relu", func() *nn.Network {
			n := constantNet(nn.ReLU, big.NewRat(1, 2), tiny)
			n.Hidden[0].B[0].SetFrac64(1, 2)
			return n
		}()},
	} {
		model := &nn.Model{Net: c.net, Classes: ds.Classes}
		for _, eps := range []float64{0.25, 0.25000000000000006} {
			v, err := Verify(context.Background(), model, ds, VerifyOptions{Criterion: verdict.Criterion{Regression: true, Eps: eps}})
			if err != nil {
				t.Fatal(err)
			}
			if want := eps > 0.25; v.Exact != want || !(v.MaxError > 0.25) {
				t.Errorf("%s, eps %v: within %v (want %v), bound %v (must exceed 1/4)", c.name, eps, v.Exact, want, v.MaxError)
			}
		}
	}
}
