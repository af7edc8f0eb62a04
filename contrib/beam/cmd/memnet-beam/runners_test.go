package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// setFlags sets Beam's global flags for one test and restores them after.
func setFlags(t *testing.T, kv map[string]string) {
	t.Helper()
	for k, v := range kv {
		f := flag.CommandLine.Lookup(k)
		if f == nil {
			t.Fatalf("Beam has no flag --%s", k)
		}
		old := f.Value.String()
		if err := f.Value.Set(v); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Value.Set(old) })
	}
}

// TestOfflineRunners checks what can be checked without a cluster: the
// verify pipeline's graph (the dot runner writes it: the shard judge, the
// verdict CombineFn, the writer; with --ranges the range reader, the shard
// marks, the grouping and the judge of grouped rows), and a submission to a portable job server
// (Flink's and Spark's path: --runner=universal, Docker environment with
// the Go SDK container) that gets as far as connecting to the job service,
// here a closed port on the loopback address, and fails there in one line.
func TestOfflineRunners(t *testing.T) {
	dir := t.TempDir()
	d := writeCSV(t, dir, "a.csv", 200, 3, 1)
	net := filepath.Join(dir, "n.mnet")
	if _, code := runBeam(t, "build", "--method", "zhang", "--data", d, "-o", net); code != 0 {
		t.Fatalf("build: exit %d", code)
	}
	dot := filepath.Join(dir, "verify.dot")
	t.Run("graph", func(t *testing.T) {
		setFlags(t, map[string]string{"runner": "dot", "dot_file": dot})
		var errb bytes.Buffer
		run(context.Background(), []string{"verify", net, "--data", d, "--shards", "3"}, &bytes.Buffer{}, &errb)
		g, err := os.ReadFile(dot)
		if err != nil {
			t.Fatalf("the dot runner wrote no graph: %v (%s)", err, errb.String())
		}
		for _, want := range []string{"judgeFn", "combineFn", "writeFn", "Reshuffle"} {
			if !bytes.Contains(g, []byte(want)) {
				t.Errorf("the verify graph has no %s:\n%s", want, g)
			}
		}
	})
	t.Run("graph with ranges", func(t *testing.T) {
		rdot := filepath.Join(dir, "ranges.dot")
		setFlags(t, map[string]string{"runner": "dot", "dot_file": rdot})
		var errb bytes.Buffer
		run(context.Background(), []string{"verify", net, "--data", d, "--shards", "3", "--ranges", "4"}, &bytes.Buffer{}, &errb)
		g, err := os.ReadFile(rdot)
		if err != nil {
			t.Fatalf("the dot runner wrote no graph: %v (%s)", err, errb.String())
		}
		for _, want := range []string{"readRangeFn", "shardMarkFn", "judgeRowsFn", "combineFn", "writeFn", "Reshuffle", "GBK"} {
			if !bytes.Contains(g, []byte(want)) {
				t.Errorf("the verify --ranges graph has no %s:\n%s", want, g)
			}
		}
	})
	t.Run("portable job server", func(t *testing.T) {
		setFlags(t, map[string]string{"runner": "universal", "endpoint": "127.0.0.1:1",
			"environment_type": "DOCKER", "environment_config": "apache/beam_go_sdk:2.77.0",
			"worker_binary": os.Args[0]}) // staged as the workers' binary (else Beam compiles one)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		var errb bytes.Buffer
		code := run(ctx, []string{"verify", net, "--data", d, "--json"}, &bytes.Buffer{}, &errb)
		msg := errb.String()
		if code != 2 || !strings.Contains(msg, "job service") || strings.Count(msg, "\n") != 1 {
			t.Fatalf("submission to a closed port: exit %d, %q", code, msg)
		}
	})
}
