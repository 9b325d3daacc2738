package crosstalk

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

// A value counts while up to MaxShared users have it, each owner with its
// field, and stops counting at MaxShared+1 users, for good; a user holding
// it in two fields is one user.
func TestSharedValueStopsCountingPastMaxShared(t *testing.T) {
	t.Parallel()
	const addr = "Rua das Flores 100 Centro"
	x := NewIndex()
	x.AddUser(1, map[string]map[string]string{"c": {"address": addr, "billing": addr}})
	want := []transcript.Leak{{User: 1, Field: "c.address"}, {User: 1, Field: "c.billing"}}
	for u := 2; u <= MaxShared; u++ {
		x.AddUser(u, map[string]map[string]string{"c": {"address": addr}})
		want = append(want, transcript.Leak{User: u, Field: "c.address"})
	}
	if got := x.Check(99, text("Entrega na "+addr)); !reflect.DeepEqual(got, want) {
		t.Fatalf("a value %d users share = %v, want %v", MaxShared, got, want)
	}
	for u := MaxShared + 1; u <= MaxShared+3; u++ {
		x.AddUser(u, map[string]map[string]string{"c": {"address": addr}})
		if got := x.Check(99, text("Entrega na "+addr)); got != nil {
			t.Fatalf("a value %d users share = %v, want none (common)", u, got)
		}
	}
	if os := x.values.shared[hashBytes(hashSeed, []byte("rua das flores 100 centro"))]; users(os) != MaxShared+1 {
		t.Errorf("a common value keeps %d users' owners, want %d: %v", users(os), MaxShared+1, os)
	}
}

// Owners come back with their own users and fields, across blocks, for
// text and number values, single and shared.
func TestOwnersFieldsComeBackRight(t *testing.T) {
	t.Parallel()
	x := NewIndex()
	x.AddUser(1, map[string]map[string]string{
		"customer": {"name": "Ana Lima Costa", "cpf": "529.982.247-25"},
		"billing":  {"name": "Ana Lima Costa", "email": "ana.lima@example.com"},
	})
	x.AddUser(2, map[string]map[string]string{
		"customer": {"name": "Bruno Dias Rocha", "email": "ana.lima@example.com"},
		"payer":    {"doc": "52998224725"},
	})
	x.AddUser(3, customer("Caio Souza Alves", "5585991234567", "caio@example.com", "111.444.777-35"))
	for _, tc := range []struct {
		user  int
		reply string
		want  []transcript.Leak
	}{
		{3, "Olá, Ana Lima Costa", []transcript.Leak{{User: 1, Field: "billing.name"}, {User: 1, Field: "customer.name"}}},
		{3, "e-mail ana.lima@example.com", []transcript.Leak{{User: 1, Field: "billing.email"}, {User: 2, Field: "customer.email"}}},
		{3, "CPF 529.982.247-25", []transcript.Leak{{User: 1, Field: "customer.cpf"}, {User: 2, Field: "payer.doc"}}},
		{1, "Bruno Dias Rocha, 11144477735", []transcript.Leak{{User: 2, Field: "customer.name"}, {User: 3, Field: "customer.cpf"}}},
		{2, "ana.lima@example.com", nil}, // user 2's own
	} {
		if got := x.Check(tc.user, text(tc.reply)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Check(%d, %q) = %v, want %v", tc.user, tc.reply, got, tc.want)
		}
	}
}

// A user is indexed once, whatever its number: a run's (from 0), one far
// past them, a negative one.
func TestUserNumbers(t *testing.T) {
	t.Parallel()
	x := NewIndex()
	for _, u := range []int{0, 5_000_000, -3, 130} {
		x.AddUser(u, map[string]map[string]string{"c": {"name": "Cliente Numero " + strconv.Itoa(u+10)}})
		x.AddUser(u, map[string]map[string]string{"c": {"name": "Outro Nome Qualquer"}}) // a no-op
	}
	if got := x.Check(7, text("Outro Nome Qualquer")); got != nil {
		t.Errorf("a user added again = %v, want its second data left out", got)
	}
	for _, u := range []int{0, 5_000_000, -3, 130} {
		want := []transcript.Leak{{User: u, Field: "c.name"}}
		if got := x.Check(7, text("Cliente Numero "+strconv.Itoa(u+10))); !reflect.DeepEqual(got, want) {
			t.Errorf("user %d's name = %v, want %v", u, got, want)
		}
	}
	var s userSet
	for _, c := range []struct {
		u   int
		new bool
	}{{70_000, true}, {65_000, true}, {70_000, false}, {65_000, false}, {-1, true}, {-1, false}, {0, true}, {0, false}} {
		if got := s.add(c.u); got != c.new {
			t.Errorf("add(%d) = %v, want %v", c.u, got, c.new)
		}
	}
}
