package verdict

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/memnet/memnet/data"
	"github.com/memnet/memnet/internal/rangefiles"
)

// TestWholeOfRangesIsWholeOf: on every file type the range readers split
// (and gzip files read whole; iris with a scikit-learn header naming its
// classes), with repeated rows in different ranges, for
// Split's and random splits into ranges, the streamed Whole is WholeOf
// Load's dataset, the summary's counts and notes are Load's, and each
// shard built from its rows (data.RangeSummary.Shard, rows given in a
// shuffled order) is Select's part with Select's point numbers. On a file
// with conflicting labels the scan returns Load's error.
func TestWholeOfRangesIsWholeOf(t *testing.T) {
	ctx := context.Background()
	files, err := rangefiles.Files(t.TempDir(), 300, 3)
	if err != nil {
		t.Fatal(err)
	}
	files["iris.csv (scikit-learn header)"] = data.LoadOptions{Path: "../testdata/iris.csv"}
	files["digits.csv.gz"] = data.LoadOptions{Path: "../testdata/digits.csv.gz"}
	rng := rand.New(rand.NewPCG(4, 5))
	for name, opt := range files {
		t.Run(name, func(t *testing.T) {
			ds, loadErr := data.Load(opt)
			plan, err := data.PlanRanges(opt)
			if err != nil {
				t.Fatal(err)
			}
			for trial := range 8 {
				rs := plan.Split(1 + trial*3)
				if trial%2 == 1 && plan.Splittable {
					lo, hi := rs[0].Lo, rs[len(rs)-1].Hi
					cuts := []int64{lo, lo, hi} // an empty range first, always
					for range rng.IntN(9) {
						cuts = append(cuts, lo+rng.Int64N(hi-lo+1))
					}
					slices.Sort(cuts)
					rs = rs[:0]
					for i := 1; i < len(cuts); i++ {
						rs = append(rs, data.Range{Lo: cuts[i-1], Hi: cuts[i]})
					}
				}
				if err := plan.Number(ctx, rs); err != nil {
					t.Fatal(err)
				}
				whole, sum, err := WholeOfRanges(ctx, plan, rs)
				if loadErr != nil || strings.Contains(name, "conflict") {
					if loadErr == nil || err == nil || err.Error() != loadErr.Error() {
						t.Fatalf("ranges %v: error %v, Load's %v", rs, err, loadErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("ranges %v: %v", rs, err)
				}
				if want := WholeOf(ds); whole != want {
					t.Fatalf("ranges %v: Whole %+v, WholeOf %+v", rs, whole, want)
				}
				if sum.Duplicates != ds.Duplicates || !slices.Equal(sum.Notes, ds.Notes) || !slices.Equal(sum.Classes, ds.Classes) {
					t.Fatalf("ranges %v: summary %d %v %v, Load %d %v %v", rs, sum.Duplicates, sum.Notes, sum.Classes, ds.Duplicates, ds.Notes, ds.Classes)
				}
				if ds.Duplicates == 0 && !strings.HasPrefix(opt.Path, "../") {
					t.Fatal("the test data has no repeated rows")
				}
				// every row, keyed by shard, as a Beam job's readers emit them
				for _, k := range []int{1, 3, 7} {
					byShard := make([][]data.ShardRow, k)
					for ri, r := range rs {
						raw, err := plan.Read(ctx, r)
						if err != nil {
							t.Fatal(err)
						}
						for _, row := range raw.ShardRows(ri) {
							s := ShardOf(row.X, k)
							byShard[s] = append(byShard[s], row)
						}
					}
					for i, rows := range byShard {
						rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
						got, gotIndex, err := sum.Shard(rows)
						if err != nil {
							t.Fatal(err)
						}
						want, wantIndex := Select(ds, Shard{Index: i, Count: k})
						if got.N() == 0 && want.N() == 0 {
							continue
						}
						if !reflect.DeepEqual(got, want) || !slices.Equal(gotIndex, wantIndex) {
							t.Fatalf("ranges %v, shard %d/%d: %d points %d duplicates, Select %d points %d duplicates (or rows, classes, index differ)",
								rs, i, k, got.N(), got.Duplicates, want.N(), want.Duplicates)
						}
					}
				}
			}
		})
	}
}
