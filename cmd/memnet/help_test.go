package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasExamples: every command's --help has an Examples
// section, and every example line reads its data from testdata/ (what a
// clone has), never ../shared (issue 24 items 9 and 14).
func TestEveryCommandHasExamples(t *testing.T) {
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" || strings.HasPrefix(c.CommandPath(), "memnet completion") {
			return
		}
		n++
		if c.Example == "" {
			t.Errorf("%s --help has no Examples", c.CommandPath())
		}
		if strings.Contains(c.Example, "../shared") {
			t.Errorf("%s: an example reads ../shared", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(rootCmd())
	if n < 20 {
		t.Errorf("only %d commands walked", n)
	}
	for path := range examples {
		found := false
		var find func(c *cobra.Command)
		find = func(c *cobra.Command) {
			found = found || c.CommandPath() == path
			for _, s := range c.Commands() {
				find(s)
			}
		}
		find(rootCmd())
		if !found {
			t.Errorf("examples for %q, which is no command", path)
		}
	}
}

func TestVersion(t *testing.T) {
	out, errOut, code := run(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "memnet version ") || errOut != "" {
		t.Errorf("memnet --version: exit %d, %q, %q", code, out, errOut)
	}
}
