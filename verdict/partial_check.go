package verdict

import "fmt"

// checkListed checks that a partial verdict agrees with itself: for
// classification, Exact says that every point is right, and the wrong
// points listed are the first min(MaxWrong, DistinctPoints − ExactCorrect)
// of them; for regression, ExactCorrect is every point or none, as Exact
// says, and at most that many are listed. Listed rows (1-based lines or
// indices of the file, data.Dataset.Rows) are positive and ascending. Merge trusts the counts once they pass
// these checks: it does not evaluate the points again.
func checkListed(p *Partial) error {
	r := p.Result
	wrong := r.DistinctPoints - r.ExactCorrect
	if r.Regression != p.Criterion.Regression || r.Eps != p.Criterion.Eps {
		return fmt.Errorf("the result's criterion is not the partial's")
	}
	if r.Regression {
		if (r.Exact && r.ExactCorrect != r.DistinctPoints) || (!r.Exact && r.ExactCorrect != 0) {
			return fmt.Errorf("exact %v with %d of %d points within eps", r.Exact, r.ExactCorrect, r.DistinctPoints)
		}
		if len(r.Wrong) > min(MaxWrong, r.DistinctPoints) {
			return fmt.Errorf("%d wrong points listed of %d points", len(r.Wrong), r.DistinctPoints)
		}
	} else {
		if r.Exact != (wrong == 0) {
			return fmt.Errorf("exact %v with %d of %d points right", r.Exact, r.ExactCorrect, r.DistinctPoints)
		}
		if len(r.Wrong) != min(MaxWrong, wrong) {
			return fmt.Errorf("%d wrong points listed, but %d of %d points are wrong", len(r.Wrong), wrong, r.DistinctPoints)
		}
	}
	for i, w := range r.Wrong {
		if w.Row < 1 || (i > 0 && w.Row <= r.Wrong[i-1].Row) {
			return fmt.Errorf("the wrong points' rows are not positive and ascending")
		}
	}
	return nil
}
