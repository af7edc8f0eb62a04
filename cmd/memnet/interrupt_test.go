package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestInterruptLongCommands sends SIGINT to compare, sweep and train while
// they work (issue 19: Ctrl-C leaves both cores idle within 1 s): each must
// exit with status 130 and "memnet: interrupted" within a second of the
// signal — once the process has exited, none of its workers runs on — and
// leave no output behind.
func TestInterruptLongCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three long commands")
	}
	dir := t.TempDir()
	gauss := filepath.Join(dir, "g.csv")
	if _, e, code := run(t, "data", "gaussian", "--n", "20000", "--d", "10", "--classes", "10", "--seed", "1", "-o", gauss); code != 0 {
		t.Fatal(e)
	}
	for _, args := range [][]string{
		{"compare", "--data", gauss},
		{"sweep", "--n", "1000,3000,10000", "--d", "10", "--classes", "10", "--out", filepath.Join(dir, "sweep")},
		{"train", "--data", shared(t, "digits.csv.gz"), "--hidden", "256", "--epochs", "5000", "-o", filepath.Join(dir, "t.mnet")},
	} {
		cmd := exec.Command(binary, args...)
		var e bytes.Buffer
		cmd.Stderr = &e
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond) // let it load and start working
		done := make(chan error, 1)
		t0 := time.Now()
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("%s: still running 20 s after SIGINT", args[0])
		}
		if d := time.Since(t0); d > time.Second {
			t.Errorf("%s: exited %.2f s after SIGINT, want within 1 s", args[0], d.Seconds())
		}
		if code := cmd.ProcessState.ExitCode(); code != 130 || e.String() != "memnet: interrupted\n" {
			t.Errorf("%s: exit %d, stderr %q; want 130 and \"memnet: interrupted\" (did it finish within 1.5 s?)", args[0], code, e.String())
		}
	}
	for _, name := range []string{filepath.Join("sweep", "sweep.csv"), "t.mnet"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("an interrupted command left %s", name)
		}
	}
}
