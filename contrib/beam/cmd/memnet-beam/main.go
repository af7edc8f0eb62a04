// Command memnet-beam runs memnet's embarrassingly parallel work on an
// Apache Beam runner: exact verification by shards (verify), the
// construction's global order (build). Prism, in-process, is the default
// runner; --runner=universal --endpoint=HOST:PORT submits to a Flink or
// Spark job server, --runner=dataflow to Google Cloud Dataflow (see
// docs/scale.md for the flags). Its results equal memnet's on the same
// files: verify prints the same verdict, JSON and exit status as memnet
// verify; build writes the same bytes as memnet build.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

const usage = `memnet-beam runs memnet on an Apache Beam runner (default: Prism, in-process).

  memnet-beam verify NET.mnet --data FILE [--labels FILE] [--json] [--shards K] [runner flags]
  memnet-beam build --method NAME --data FILE -o NET.mnet [memnet build's flags] [runner flags]
  memnet-beam experiment park-depth-width [memnet's flags] --out DIR [runner flags]
  memnet-beam sweep --methods a,b --n 100,1000 [memnet sweep's flags] --out DIR [runner flags]

Runner flags (Beam's): --runner=prism (default) | universal --endpoint=HOST:PORT
--environment_type=DOCKER --environment_config=apache/beam_go_sdk:2.77.0 (Flink, Spark)
| dataflow --project=P --region=R --staging_location=gs://... (see docs/scale.md).
Give --scratch a directory every worker can reach (gs://... on a cluster).
verify --shards: default 1, the cheapest on one machine (a shard is judged on
every core of its worker); on a cluster, the number of worker machines.
`

func main() {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "-") && os.Args[1] != "-h" && os.Args[1] != "--help" {
		// a Beam worker process (container boot passes --worker and its flags)
		flag.Parse()
		beam.Init()
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit status without a message.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run is the command: it returns the exit status (0 success, 1 a verdict
// that is not exact, 2 an error).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	var err error
	switch args[0] {
	case "verify":
		err = verifyCmd(ctx, args[1:], stdout, stderr)
	case "build":
		err = buildCmd(ctx, args[1:], stdout, stderr)
	case "experiment":
		err = experimentCmd(ctx, args[1:], stdout, stderr)
	case "sweep":
		err = sweepCmd(ctx, args[1:], stdout, stderr)
	default:
		err = fmt.Errorf("unknown command %q (want verify, build, experiment or sweep)", args[0])
	}
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "memnet-beam: %s\n", oneLine(err.Error()))
	return 2
}

// oneLine keeps an error message on one line of printable characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// newFlags is a flag set for the command's flags; parse adds Beam's.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse adds Beam's flags (the runner's flags live in the global flag set,
// where Beam reads them) to the command's, which win where names collide
// (Beam's --labels, Dataflow's job labels, is memnet's label file here),
// then parses flags and positional arguments in any order.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if fs.Lookup(f.Name) == nil {
			fs.Var(f.Value, f.Name, f.Usage)
		}
	})
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	beam.Init()
	return pos, nil
}

// printJSON writes v as memnet does (indented, "<" kept).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// scratch returns the --scratch directory, or a new local temporary one
// that cleanup removes.
func scratch(dir string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, nil
	}
	d, err := os.MkdirTemp("", "memnet-beam-")
	if err != nil {
		return "", nil, err
	}
	return d, func() { os.RemoveAll(d) }, nil
}
