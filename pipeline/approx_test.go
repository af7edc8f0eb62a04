package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/memnet/memnet/approx"
)

// TestApproxPictureAndModel: approx's network for gauss in d = 1 and 2 is
// drawn (a graph, heat maps with their note; d = 3 is refused; a cancelled
// context stops the heat maps' evaluation), and ApproxModel records what
// inspect shows: options, the cells as points, the phases covering every
// layer and the measured errors.
func TestApproxPictureAndModel(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		d     int
		notes int
	}{{1, 0}, {2, 1}, {3, -1}} {
		f, err := approx.Named("gauss", tt.d)
		if err != nil {
			t.Fatal(err)
		}
		rep, a, err := approx.Run(context.Background(), &approx.Request{Target: f, N: 3, Samples: 100, Seed: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "p.png")
		os.Remove(path)
		notes, err := ApproxPicture(context.Background(), a, f, path)
		if tt.notes < 0 {
			if err == nil {
				t.Errorf("d = %d: a picture was drawn", tt.d)
			}
		} else if st, serr := os.Stat(path); err != nil || serr != nil || st.Size() == 0 || len(notes) != tt.notes {
			t.Errorf("d = %d: notes %q, %v, %v", tt.d, notes, err, serr)
		}
		if tt.d == 2 {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := ApproxPicture(ctx, a, f, path); !errors.Is(err, context.Canceled) {
				t.Errorf("d = 2, cancelled: %v", err)
			}
		}
		m := ApproxModel(a, rep)
		if m.Net != a.Net || m.Method != "approx" || m.Points != rep.Cells || len(m.Classes) != 1 || m.Classes[0] != "f" ||
			m.Options["n"] != "3" || m.Options["function"] != rep.Function || m.Hints["l1_error"] == "" {
			t.Errorf("d = %d: model %+v", tt.d, m)
		}
		p := Phases(m)
		if len(p) != 2 || p[0].First != 1 || p[0].Last+1 != p[1].First || p[1].Last != len(a.Net.Hidden) {
			t.Errorf("d = %d: phases %+v of %d layers", tt.d, p, len(a.Net.Hidden))
		}
	}
}
