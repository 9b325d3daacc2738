package live

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/voyplan/voyplan/engine/live/livetest"
)

const grafanaDir = "../../docs/grafana"

// dashboard is the part of a Grafana dashboard the tests read.
type dashboard struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID      int    `json:"id"`
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// readDashboard parses docs/grafana/voyplan.json.
func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(grafanaDir, "voyplan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("voyplan.json: %v", err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("voyplan.json: uid %q, title %q, %d panels", d.UID, d.Title, len(d.Panels))
	}
	return d
}

// queries returns every PromQL query of the dashboard: its panels' and its
// query variables'.
func (d dashboard) queries(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct{ Query string }
		if err := json.Unmarshal(v.Query, &q); err != nil || q.Query == "" {
			t.Errorf("variable %s: query %s", v.Name, v.Query)
		}
		out = append(out, q.Query)
	}
	return out
}

// exported is every series name a push carries (a histogram's _bucket,
// _sum and _count included), read from a real push's series.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	mfs, err := NewRegistry(NewCollector(Source{Recorder: recorded()}, testID)).Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range toSeries(mfs, 0) {
		for _, l := range s.Labels {
			if l.Name == "__name__" {
				names[l.Value] = true
			}
		}
	}
	return names
}

var seriesRef = regexp.MustCompile(`\bvoyplan_[a-z_]+`)

func TestDashboardQueriesNameExportedSeries(t *testing.T) {
	t.Parallel()
	d := readDashboard(t)
	names := exported(t)
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
	}
	for _, q := range d.queries(t) {
		refs := seriesRef.FindAllString(q, -1)
		if len(refs) == 0 {
			t.Errorf("query %q names no voyplan series", q)
		}
		for _, r := range refs {
			if !names[r] {
				t.Errorf("query %q names %s, which voyplan does not export", q, r)
			}
		}
	}
}

func TestGrafanaProvisioningParses(t *testing.T) {
	t.Parallel()
	var dash struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "provisioning/dashboards/voyplan.yaml", &dash)
	if dash.APIVersion != 1 || len(dash.Providers) != 1 || dash.Providers[0].Type != "file" || dash.Providers[0].Options.Path == "" {
		t.Errorf("dashboards provisioning: %+v; want one file provider with a path", dash)
	}
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	readYAML(t, "provisioning/datasources/prometheus.yaml", &ds)
	if ds.APIVersion != 1 || len(ds.Datasources) != 1 || ds.Datasources[0].Type != "prometheus" || ds.Datasources[0].URL == "" {
		t.Errorf("datasources provisioning: %+v; want one prometheus data source", ds)
	}
}

func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(grafanaDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestDashboardQueriesRunOnPrometheus runs every query of the dashboard,
// its variables filled in, on a real Prometheus holding two pushes of a
// run: none is refused, and those that read no rate find data.
func TestDashboardQueriesRunOnPrometheus(t *testing.T) {
	t.Parallel()
	d := readDashboard(t)
	prom := livetest.Start(t)
	p, err := NewPusher(RemoteWrite{URL: prom.WriteURL()}, NewRegistry(NewCollector(Source{Recorder: recorded()}, testID)))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := p.Push(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	fill := strings.NewReplacer("$plan", ".*", "$run_id", ".*", "$__rate_interval", "5m")
	for _, q := range d.queries(t) {
		if strings.HasPrefix(q, "label_values(") { // Grafana's, not PromQL: ask for the series it lists
			inner := strings.TrimPrefix(q, "label_values(")
			q = "count(" + inner[:strings.LastIndex(inner, ",")] + ")"
		}
		vec := prom.Query(t, fill.Replace(q))
		rated := strings.Contains(q, "rate(") || strings.Contains(q, "increase(")
		if !rated && len(vec) == 0 {
			t.Errorf("query %q finds nothing", q)
		}
	}
}
