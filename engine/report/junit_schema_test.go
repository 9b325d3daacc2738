package report

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/verdict"
)

// TestJUnitValidAgainstStrictSchema validates junit.xml with xmllint
// (Debian's libxml2-utils) against the strict Ant JUnit schema in
// testdata, for a passing, a failing, an erroring and an invalid run.
func TestJUnitValidAgainstStrictSchema(t *testing.T) {
	t.Parallel()
	xmllint := needTool(t, "xmllint", "libxml2-utils")
	cases := map[string]func(*results.Summary){
		"mixed": func(*results.Summary) {},
		"no data": func(s *results.Summary) {
			s.Thresholds[0].Result, s.Thresholds[0].Observed = verdict.OutcomeNoData, "no data"
		},
		"invalid": func(s *results.Summary) { s.Verdict, s.Invalid = results.VerdictInvalid, "disk full" },
		"no thresholds": func(s *results.Summary) {
			s.Thresholds = nil
			s.Plan.Name = "<odd & \"name\">"
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := knownSummary()
			edit(s)
			if err := WriteJUnit(results.At(dir), s); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, xmllint, "--noout", "--nonet", "--schema",
				filepath.Join("testdata", "junit-ant-strict.xsd"), filepath.Join(dir, results.JUnitFile)).CombinedOutput()
			if err != nil {
				t.Errorf("junit.xml is not valid against the strict Ant JUnit schema: %v\n%s", err, out)
			}
		})
	}
}

// TestStrictSchemaRejects: the schema and xmllint do refuse what the strict
// validators refuse (what junit.xml had before it was made valid), so the
// test above cannot pass on a schema that accepts anything.
func TestStrictSchemaRejects(t *testing.T) {
	t.Parallel()
	xmllint := needTool(t, "xmllint", "libxml2-utils")
	bad := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="voyplan" tests="1"><testsuite name="x" tests="1" failures="0" errors="0" time="1" timestamp="2025-10-07T12:00:00Z">
<properties></properties><testcase name="a" classname="b" time="0"><system-out>o</system-out></testcase><system-out>o</system-out></testsuite></testsuites>`
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := writeFileForTest(path, bad); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "junit-ant-strict.xsd"), path).CombinedOutput()
	if err == nil {
		t.Fatalf("xmllint accepts a junit.xml without hostname, id, package or system-err:\n%s", out)
	}
	for _, want := range []string{"fails to validate", "hostname", "package", "'id'", "system-out", "timestamp"} {
		if !containsFold(string(out), want) {
			t.Errorf("xmllint's errors do not mention %s:\n%s", want, out)
		}
	}
}
