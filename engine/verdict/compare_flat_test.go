package verdict

import (
	"strings"
	"testing"
)

func TestFlattenMetricsKeepsOrderAndShape(t *testing.T) {
	t.Parallel()
	f, err := flattenMetrics([]byte(`{"metrics":{"users":3,"reply":{"count":2,"failed":0,"error_rate":0,"p50":1,"p95":2},"personas":{"a b":{"started":1}},"list":[4,5],"flag":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range f.order {
		got = append(got, k.String())
	}
	want := "users reply.count reply.failed reply.error_rate reply.p50 reply.p95 personas.a b.started list.0 list.1"
	if strings.Join(got, " ") != want {
		t.Errorf("order:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if !isLatency(f, "reply") || isLatency(f, "personas.a b") {
		t.Error("latency objects not recognised by their shape")
	}
	if _, err := flattenMetrics([]byte(`{"plan":{}}`)); err == nil {
		t.Error("a summary without metrics must be an error")
	}
}
