package metrics

import (
	"reflect"
	"testing"
)

// fillCounters sets every int64 field of the struct v points to: the
// field's index plus base.
func fillCounters(v any, base int64) {
	e := reflect.ValueOf(v).Elem()
	for i := range e.NumField() {
		e.Field(i).SetInt(base + int64(i))
	}
}

// TestMergeSumsChannelCounters: merging segments (through their JSON)
// sums every WhatsApp and channel counter, the ones added later included
// (a field plus forgot would stay 0 or one segment's).
func TestMergeSumsChannelCounters(t *testing.T) {
	t.Parallel()
	var parts []Part
	for _, base := range []int64{10, 1000} {
		var w WhatsApp
		var c Channel
		fillCounters(&w, base)
		fillCounters(&c, base)
		r := NewRecorder(nil)
		r.WatchWhatsApp(func() WhatsApp { return w })
		r.WatchChannel(func() Channel { return c })
		parts = append(parts, viaJSON(t, "segment", r))
	}
	got, err := Merge(parts)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"whatsapp": got.Snapshot.WhatsApp, "channel": got.Snapshot.Channel} {
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			if want := 1010 + 2*int64(i); rv.Field(i).Int() != want {
				t.Errorf("%s.%s = %d, want %d", name, rv.Type().Field(i).Name, rv.Field(i).Int(), want)
			}
		}
	}
}
