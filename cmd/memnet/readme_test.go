package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeCommand is one shell command of a ```sh block of README.md.
type readmeCommand struct {
	line int    // line number in README.md
	cmd  string // the command, continuation lines joined, comment dropped
	want int    // expected exit status ("# ...: exit status N" in its comment), 0 otherwise
}

var exitStatusComment = regexp.MustCompile(`exit status (\d+)`)

// goSyntax matches Go's printing of a map or a slice ("map[a:1]", "[a b c]"),
// which no message should show.
var goSyntax = regexp.MustCompile(`map\[|\[\w+( \w+)+\]`)

// readmeCommands extracts every command of the ```sh blocks of path.
func readmeCommands(t *testing.T, path string) []readmeCommand {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []readmeCommand
	in := false
	var cur *readmeCommand
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```sh"):
			in = true
			continue
		case strings.HasPrefix(line, "```"):
			in = false
			continue
		case !in:
			continue
		}
		code, comment := line, ""
		if i := strings.Index(line, " #"); i >= 0 && !strings.Contains(line[:i], "'") {
			code, comment = line[:i], line[i:]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			code, comment = "", line
		}
		code = strings.TrimSpace(code)
		if cur == nil {
			if code == "" {
				continue
			}
			cur = &readmeCommand{line: n}
		}
		if m := exitStatusComment.FindStringSubmatch(comment); m != nil {
			cur.want, _ = strconv.Atoi(m[1])
		}
		if cont, ok := strings.CutSuffix(code, `\`); ok {
			cur.cmd += strings.TrimSpace(cont) + " "
			continue
		}
		cur.cmd += code
		cmds = append(cmds, *cur)
		cur = nil
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cmds
}

// TestReadme runs every command of README.md's ```sh blocks as written, in
// order, in a copy of a fresh clone: a temporary directory holding only
// repo/ (the working directory, where outputs go) with the repository's
// data files (testdata/, approx/testdata/) — nothing beside it, so a
// command reading ../shared fails as it would in a clone. `memnet` is the
// binary under test (on PATH), and `go run ./cmd/memnet` stands for it.
// Only `go test` and `go install` are not run (the test is part of the
// first; the second writes outside the temporary directory), and commands
// reading Fashion-MNIST are skipped, with a log line, where
// /usr/share/datasets is absent. A command fails the test when it names
// ../shared, when its exit status differs from the one its comment states
// (0 when none), or when its output shows a Go map or slice.
func TestReadme(t *testing.T) {
	cmds := readmeCommands(t, filepath.Join("..", "..", "README.md"))
	if len(cmds) < 20 {
		t.Fatalf("only %d commands found in README.md", len(cmds))
	}
	repo := filepath.Join(t.TempDir(), "repo")
	// The repository's data files that README commands read (a clone has
	// them; the rest of the tree is not read).
	for _, dir := range []string{"testdata", "approx/testdata", "export/testdata/vnncomp"} {
		src := filepath.Join("..", "..", filepath.FromSlash(dir))
		err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(filepath.Join("..", ".."), p)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			dst := filepath.Join(repo, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, fashionErr := os.Stat("/usr/share/datasets/fashion-mnist")
	env := append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	ran := 0
	var cpu time.Duration
	for _, c := range cmds {
		cmd := c.cmd
		switch {
		case strings.HasPrefix(cmd, "go test"), strings.HasPrefix(cmd, "go install"):
			t.Logf("README.md:%d: not run here: %s", c.line, cmd)
			continue
		case strings.Contains(cmd, "/usr/share/datasets/") && fashionErr != nil:
			t.Logf("README.md:%d: skipped, /usr/share/datasets/fashion-mnist is absent: %s", c.line, cmd)
			continue
		}
		if strings.Contains(cmd, "../shared") {
			t.Errorf("README.md:%d: reads ../shared, which a clone does not have: %s", c.line, cmd)
			continue
		}
		cmd = strings.ReplaceAll(cmd, "go run ./cmd/memnet", "memnet")
		sh := exec.Command("sh", "-c", cmd)
		sh.Dir, sh.Env = repo, env
		t0 := time.Now()
		out, err := sh.CombinedOutput()
		if sh.ProcessState != nil {
			cpu += sh.ProcessState.UserTime() + sh.ProcessState.SystemTime()
		}
		if d := time.Since(t0); d > 5*time.Second {
			t.Logf("README.md:%d: %.1f s: %s", c.line, d.Seconds(), cmd)
		}
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if m := goSyntax.Find(out); m != nil {
			t.Errorf("README.md:%d: %s\nprints Go syntax %q:\n%s", c.line, c.cmd, m, tail(string(out), 15))
		}
		if code != c.want {
			t.Errorf("README.md:%d: %s\nexit status %d, want %d; output:\n%s", c.line, c.cmd, code, c.want, tail(string(out), 15))
		}
		ran++
	}
	t.Logf("ran %d README commands, %.1f s of CPU", ran, cpu.Seconds())
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestReadmeCommands checks the README parser on continuation lines,
// comments, a stated exit status and text outside ```sh blocks.
func TestReadmeCommands(t *testing.T) {
	md := "text\n```sh\n# a comment (exit status 0 only if ...)\nmemnet a --x 1 \\\n   --y 2   # trailing\n\nawk 'BEGIN { print \"#\" }' > f   # quoted\nmemnet c   # REJECTED: exit status 1\n```\nmemnet not-code\n```go\nx := 1\n```\n"
	p := filepath.Join(t.TempDir(), "R.md")
	if err := os.WriteFile(p, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	got := readmeCommands(t, p)
	want := []readmeCommand{{4, "memnet a --x 1 --y 2", 0}, {7, `awk 'BEGIN { print "#" }' > f   # quoted`, 0}, {8, "memnet c", 1}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("command %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
