package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// fill sets every exported field of the value v points to, recursively,
// to a value that is not its zero (a pointer to a filled value, a slice
// or map of two filled elements), with strings naming their field: a
// field added to the transcript and forgotten by the hand-written encoder
// shows up as a difference from encoding/json's line.
func fill(v reflect.Value, path string, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, depth)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 5, 21, 30, 0, 123456789, time.UTC).Add(time.Duration(len(path)) * time.Second)))
			return
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				fill(v.Field(i), path+"."+f.Name, depth+1)
			}
		}
	case reflect.Slice:
		if depth > 6 {
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, fmt.Sprintf("%s{k%d}", path, i), depth+1)
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, fmt.Sprintf("%s{%d}", path, i), depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.String:
		v.SetString(path + " <é\"\\>")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(len(path)) + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(len(path)) + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(len(path)) + 0.125)
	case reflect.Interface:
		v.Set(reflect.ValueOf(path))
	}
}

// Every field of a conversation, however deep and whenever added, is
// written by the hand-written encoder as encoding/json writes it.
func TestEncoderWritesEveryField(t *testing.T) {
	t.Parallel()
	var c transcript.Conversation
	fill(reflect.ValueOf(&c).Elem(), "c", 0)
	got, ok := appendConversationLine(nil, &c)
	if !ok {
		t.Fatal("the encoder declined a conversation with every field set")
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		i := 0
		for i < min(len(got), want.Len()) && got[i] == want.Bytes()[i] {
			i++
		}
		t.Errorf("the encoder's line differs from encoding/json's at byte %d:\n got …%s\nwant …%s",
			i, got[max(0, i-80):min(len(got), i+80)], want.Bytes()[max(0, i-80):min(want.Len(), i+80)])
	}
}
