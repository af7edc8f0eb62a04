package pipeline

// The column m/MT: a one-hidden-layer network's width against Madden &
// Thrampoulidis's bound N/(d + 2) (construct.MaddenThrampoulidis); empty for
// deeper networks, to which it does not apply.
func init() {
	CompareColumns = append(CompareColumns, CompareColumn{Head: "m/MT",
		Legend: "one hidden layer only: width m / (N/(d+2)), Madden–Thrampoulidis (SIMODS 2024): m hidden units memorize ⌊md/2⌋ generic points and cannot when m(d+2) < N (their labels are arbitrary reals; class labels can need fewer units, so a ratio below 1 is no contradiction)",
		Cell: func(r CompareRow) string {
			lb, ok := r.lower("one_hidden")
			if !ok {
				return ""
			}
			return lowerRatio(lb, ok)
		}})
}
