package pipeline

// The constructions memnet ships; each registers itself with construct.
import (
	_ "github.com/memnet/memnet/construct/dfg"
	_ "github.com/memnet/memnet/construct/floatexact"
	_ "github.com/memnet/memnet/construct/hz"
	_ "github.com/memnet/memnet/construct/park"
	_ "github.com/memnet/memnet/construct/vardi"
	_ "github.com/memnet/memnet/construct/ysj"
	_ "github.com/memnet/memnet/construct/zhang"
)
