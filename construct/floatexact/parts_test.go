package floatexact

import "testing"

func TestDivChain(t *testing.T) {
	g := &graph{d: 1}
	divs := []int64{80, 40, 20, 10}
	bits, rem := g.divChain(0, divs)
	for v := int64(0); v < 160; v++ {
		vals, _ := g.eval([]int64{v})
		q := int64(0)
		for i, b := range bits {
			q += vals[b] * divs[i] / 10
		}
		if vals[rem] != v%10 || q != v/10 {
			t.Fatalf("v=%d rem %d q %d", v, vals[rem], q)
		}
	}
}

func TestDigitSelect(t *testing.T) {
	ds := design{base: 10, m: 7}
	g := &graph{d: 2}
	sels := g.digitSelect(0, 1, ds)
	for _, y := range []int64{3890204, 2080000, 95, 9999999, 0} {
		for k := int64(0); k < 7; k++ {
			vals, _ := g.eval([]int64{y, k})
			want := y
			for range k {
				want /= 10
			}
			want %= 10
			var got int64
			for _, s := range sels {
				got += vals[s]
			}
			if got != want {
				t.Errorf("y %d k %d: got %d want %d", y, k, got, want)
			}
		}
	}
}
