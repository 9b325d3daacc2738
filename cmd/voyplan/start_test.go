package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run that cannot start (its webhook's or its simulator's port in use)
// leaves nothing in --out: the directory is gone if the run made it, and
// as it was if it was there before; the same command then runs once the
// port is free.
func TestApplyFailedStartLeavesNothing(t *testing.T) {
	t.Parallel()
	for _, block := range []string{"webhook", "simulator"} {
		t.Run(block+" port in use", func(t *testing.T) {
			t.Parallel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			busy := ln.Addr().String()
			plan := writePlan(t, kataryna(t), oneStage+fmt.Sprintf("webhook { listen = %q }\n", busy))
			if block == "simulator" {
				plan = writePlan(t, kataryna(t), oneStage)
				b, err := os.ReadFile(plan)
				if err != nil {
					t.Fatal(err)
				}
				src := strings.Replace(string(b), `simulator { latency = "5ms" }`,
					fmt.Sprintf("simulator {\n  latency = \"5ms\"\n  listen  = %q\n}", busy), 1)
				if err := os.WriteFile(plan, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}

			fresh := filepath.Join(t.TempDir(), "runs", "out") // neither runs/ nor out/ exist
			ta := newTestApp(t)
			if code := ta.main([]string{"apply", plan, "--out", fresh, "--quiet"}); code != exitError {
				t.Fatalf("exit %d, want 1\n%s", code, ta.err.String())
			}
			if !strings.Contains(ta.err.String(), busy) {
				t.Errorf("the error does not name %s:\n%s", busy, ta.err.String())
			}
			if _, err := os.Stat(filepath.Dir(fresh)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the failed start left %s behind: %v", filepath.Dir(fresh), err)
			}

			// A directory that was there before stays, with what it held.
			kept := t.TempDir()
			mine := filepath.Join(kept, "notes.txt")
			if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			ta = newTestApp(t)
			if code := ta.main([]string{"apply", plan, "--out", kept, "--quiet"}); code != exitError {
				t.Fatalf("exit %d, want 1\n%s", code, ta.err.String())
			}
			entries, err := os.ReadDir(kept)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Name() != "notes.txt" {
				t.Errorf("%s holds %v after the failed start, want only notes.txt", kept, entries)
			}

			// With the port free, the same command runs.
			ln.Close()
			ta = newTestApp(t)
			if code := ta.main([]string{"apply", plan, "--out", fresh, "--quiet"}); code != exitOK {
				t.Fatalf("re-run: exit %d, want 0\n%s", code, ta.err.String())
			}
		})
	}
}
