package main

import (
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/voyplan/voyplan/engine/run"
)

// k8sDoc is what the test reads of a Kubernetes object: the fields the
// recipe depends on.
type k8sDoc struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				RestartPolicy   string `yaml:"restartPolicy"`
				SecurityContext struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
					RunAsUser    int  `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []k8sContainer `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type k8sContainer struct {
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			FieldRef *struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
			SecretKeyRef *struct {
				Name string `yaml:"name"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
}

// readK8s decodes every document of a manifest.
func readK8s(t *testing.T, name string) []k8sDoc {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "deploy", "kubernetes", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var docs []k8sDoc
	for {
		var d k8sDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s does not parse: %v", name, err)
		}
		if d.APIVersion == "" || d.Kind == "" || d.Metadata.Name == "" {
			t.Fatalf("%s: a document without apiVersion, kind or name: %+v", name, d)
		}
		docs = append(docs, d)
	}
}

func jobOf(t *testing.T, docs []k8sDoc, name string) (k8sDoc, k8sContainer) {
	t.Helper()
	for _, d := range docs {
		if d.Kind == "Job" && d.Metadata.Name == name {
			if len(d.Spec.Template.Spec.Containers) != 1 {
				t.Fatalf("job %s: %d containers; want 1", name, len(d.Spec.Template.Spec.Containers))
			}
			return d, d.Spec.Template.Spec.Containers[0]
		}
	}
	t.Fatalf("no Job %q", name)
	return k8sDoc{}, k8sContainer{}
}

// expand is Kubernetes' $(VAR) substitution in a container's args.
func expand(s string, env map[string]string) string {
	for k, v := range env {
		s = strings.ReplaceAll(s, "$("+k+")", v)
	}
	return s
}

// TestKubernetesManifests: deploy/kubernetes parses; the load Job is an
// Indexed Job of N pods, non-root, no shell, whose every pod runs the same
// `apply --segment auto`, which — with the environment Kubernetes gives pod
// k, parsed by apply's own flags — resolves to segment k+1 of N, writes
// its own directory and pushes its live metrics to one Prometheus under
// the Job's run id (so they show as one run); and the merge Job merges
// exactly those N directories.
func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	job, c := jobOf(t, readK8s(t, "job.yaml"), "voyplan-load")
	s := job.Spec
	if s.CompletionMode != "Indexed" || s.Completions < 2 || s.Parallelism != s.Completions || s.Template.Spec.RestartPolicy != "Never" {
		t.Fatalf("job spec %+v; want an Indexed Job of several pods, all at once, never restarted", s)
	}
	if sc := s.Template.Spec.SecurityContext; !sc.RunAsNonRoot || sc.RunAsUser == 0 {
		t.Errorf("pods may run as root: %+v", sc)
	}
	if len(c.Command) != 0 || len(c.Args) == 0 || c.Args[0] != "apply" {
		t.Errorf("command %q, args %q; want the image's voyplan entrypoint with apply (no shell)", c.Command, c.Args)
	}
	env := map[string]string{}
	const jobUID = "0f3c2a1e-job-uid" // what the controller-uid label holds, alike in the Job's pods
	for _, e := range c.Env {
		switch {
		case e.Name == run.JobIndexEnv && (e.ValueFrom == nil || e.ValueFrom.FieldRef == nil ||
			e.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']"):
			t.Errorf("%s must come from the pod's completion-index annotation: %+v", e.Name, e)
		case e.Name == RunIDEnv && (e.ValueFrom == nil || e.ValueFrom.FieldRef == nil ||
			e.ValueFrom.FieldRef.FieldPath != "metadata.labels['batch.kubernetes.io/controller-uid']"):
			t.Errorf("%s must be the Job's uid, the same in each of its pods: %+v", e.Name, e)
		case e.Name == RunIDEnv:
			env[e.Name] = jobUID // as Kubernetes resolves the label
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		}
	}
	if env[run.SegmentsEnv] != strconv.Itoa(s.Completions) {
		t.Errorf("%s=%q; want the Job's %d completions", run.SegmentsEnv, env[run.SegmentsEnv], s.Completions)
	}
	var outs []string
	for k := range s.Completions {
		podEnv := map[string]string{run.JobIndexEnv: strconv.Itoa(k)}
		for name, v := range env {
			podEnv[name] = v
		}
		pod := podOf(t, c.Args, podEnv)
		if pod.segment != (run.Segment{Index: k + 1, Count: s.Completions}) {
			t.Errorf("pod %d runs segment %v; want %d/%d", k, pod.segment, k+1, s.Completions)
		}
		if u, err := url.Parse(pod.push); err != nil || u.Host == "" || !strings.HasSuffix(u.Path, "/api/v1/write") {
			t.Errorf("pod %d pushes live metrics to %q; want a Prometheus remote-write URL (--prometheus-rw)", k, pod.push)
		}
		if pod.runID != jobUID {
			t.Errorf("pod %d labels its live metrics run_id %q; want the Job's %q", k, pod.runID, jobUID)
		}
		outs = append(outs, pod.out)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(outs)))) != s.Completions || slices.Contains(outs, "") {
		t.Errorf("the pods write to %q; want a directory each", outs)
	}
	_, m := jobOf(t, readK8s(t, "merge-job.yaml"), "voyplan-merge")
	if len(m.Args) < 3 || m.Args[0] != "merge" || m.Args[1] != "--out" || !slices.Equal(m.Args[3:], outs) {
		t.Errorf("merge args %q; want merge --out DIR %q", m.Args, outs)
	}
	if m.Image != c.Image {
		t.Errorf("merge image %q, load image %q", m.Image, c.Image)
	}
}

// pod is what one pod of the load Job runs, as apply reads its command
// line and environment.
type pod struct {
	segment run.Segment
	out     string // --out
	push    string // --prometheus-rw
	runID   string // the run_id label of its live metrics
}

// podOf parses the pod's args — Kubernetes' $(VAR) expanded with env —
// with the apply command's own flags, and resolves --segment auto and the
// run id from env as apply does.
func podOf(t *testing.T, args []string, env map[string]string) pod {
	t.Helper()
	expanded := make([]string, len(args))
	for i, a := range args {
		expanded[i] = expand(a, env)
		if strings.Contains(expanded[i], "$(") {
			t.Errorf("arg %q names a variable the container does not set", a)
		}
	}
	a := &app{stdout: &strings.Builder{}, stderr: &strings.Builder{}}
	for k, v := range env {
		a.environ = append(a.environ, k+"="+v)
	}
	root := a.rootCmd()
	cmd, rest, err := root.Find(normalizeArgs(root, expanded))
	if err != nil || cmd.Name() != "apply" {
		t.Fatalf("args %q: command %v, %v; want apply", expanded, cmd, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("apply does not take the pod's args %q: %v", expanded, err)
	}
	if n := len(cmd.Flags().Args()); n != 1 {
		t.Errorf("args %q: %d plans; want 1", expanded, n)
	}
	seg := cmd.Flags().Lookup("segment").Value.(*segmentFlag)
	if err := seg.resolve(a.getenv); err != nil {
		t.Fatal(err)
	}
	return pod{segment: seg.Segment, out: cmd.Flags().Lookup("out").Value.String(),
		push: cmd.Flags().Lookup("prometheus-rw").Value.String(), runID: a.runIDFromEnv()}
}
