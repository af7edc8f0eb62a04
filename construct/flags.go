package construct

// Flag is a command-line flag that sets the method option Param (only when
// the user gives it, so each method's own default applies otherwise).
type Flag struct{ Name, Param, Usage string }

// Flags are the method flags of memnet build (and auto, compare) and of
// memnet-beam build: one table, so the two commands take the same names.
var Flags = []Flag{
	{"snap", "snap", "hz: append the exact output snap block: true or false (default true)"},
	{"weights", "weights", "hz: dyadic or rational weights (default dyadic)"},
	{"variant", "variant", "hz: sweep (HZ2, default) or phases (compress, collapse, sort, assign labels)"},
	{"direction", "direction", "hz, zhang, ysj: projection direction: auto, gaussian or integer (default auto)"},
	{"max-depth", "max-depth", "vardi and auto: depth limit (vardi: Theorem 5.1; default none)"},
	{"max-bits", "max-bits", "vardi and auto: limit on a weight's bits (vardi: Theorem 6.2; default none)"},
	{"objective", "objective", "vardi: minimize params or depth (default params)"},
	{"w", "w", "park: trade-off exponent in [2/3, 1] (Theorem 1; default 2/3)"},
	{"activation", "activation", "park: step, relu or sigmoid; dfg: step or relu (default step)"},
	{"eps", "eps", "park with --regression: tolerance of the real targets (default 0.01)"},
	{"sigmoid-eps", "sigmoid-eps", "park with --activation sigmoid: output error ε in (0, 1/2) the slopes are budgeted for (default 0.25)"},
}
