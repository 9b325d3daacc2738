package plan

import (
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/voyplan/voyplan/engine/datagen"
)

const fixtureUsers = 1000

func users(t *testing.T, p *Plan, n int) []*User {
	t.Helper()
	out := make([]*User, n)
	for i := range out {
		u, err := p.NewUser(i)
		if err != nil {
			t.Fatalf("NewUser(%d): %v", i, err)
		}
		out[i] = u
	}
	return out
}

func TestNewUserSameSeedSameUsers(t *testing.T) {
	t.Parallel()
	a := users(t, mustLoad(t, "testdata/valid/full.hcl", Options{}), fixtureUsers)
	b := users(t, mustLoad(t, "testdata/valid/full.hcl", Options{}), fixtureUsers)
	for i := range a {
		if a[i].Persona.Name != b[i].Persona.Name || !reflect.DeepEqual(a[i].Data, b[i].Data) ||
			!reflect.DeepEqual(a[i].Script, b[i].Script) || a[i].Prompt != b[i].Prompt || a[i].N != i {
			t.Fatalf("user %d differs between two loads with seed 42:\n%+v\n%+v", i, a[i], b[i])
		}
	}
}

func TestNewUserDifferentSeed(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/valid/full.hcl", Options{})
	a := users(t, p, fixtureUsers)
	other := *p
	other.Seed++
	b := users(t, &other, fixtureUsers)
	same := 0
	for i := range a {
		if a[i].Data["customer"]["cpf"] == b[i].Data["customer"]["cpf"] {
			same++
		}
	}
	if same > fixtureUsers/100 {
		t.Errorf("%d of %d users got the same CPF under another seed", same, fixtureUsers)
	}
}

func TestNewUserGeneratedData(t *testing.T) {
	t.Parallel()
	for i, u := range users(t, mustLoad(t, "testdata/valid/full.hcl", Options{}), fixtureUsers) {
		c := u.Data["customer"]
		if !datagen.ValidCPF(c["cpf"]) {
			t.Errorf("user %d: invalid CPF %q", i, c["cpf"])
		}
		if len(c["phone"]) != 13 || !datagen.ValidBRMobile(c["phone"]) {
			t.Errorf("user %d: phone %q is not 13 digits", i, c["phone"])
		}
		if !strings.HasSuffix(c["email"], "@smarttalks.com.br") || !datagen.ValidEmail(c["email"]) {
			t.Errorf("user %d: e-mail %q", i, c["email"])
		}
		if c["age"] != "35" || c["vip"] != "true" {
			t.Errorf("user %d: number and bool attributes are %q, %q; want \"35\", \"true\"", i, c["age"], c["vip"])
		}
		if want := strings.ToLower(c["email"]); u.Data["order"]["contact"] != want {
			t.Errorf("user %d: data.order.contact = %q, want %q (from data.customer)", i, u.Data["order"]["contact"], want)
		}
	}
}

func TestNewUserRendersPersona(t *testing.T) {
	t.Parallel()
	seen := map[DriverKind]bool{}
	for i, u := range users(t, mustLoad(t, "testdata/valid/full.hcl", Options{}), 200) {
		cpf := u.Data["customer"]["cpf"]
		seen[u.Persona.Driver] = true
		switch u.Persona.Driver {
		case DriverLLM:
			if !strings.Contains(u.Prompt, "Seu CPF é "+cpf+",") || !strings.Contains(u.Prompt, "PORTUGUÊS") || u.Script != nil {
				t.Fatalf("user %d: prompt does not hold CPF %s:\n%s", i, cpf, u.Prompt)
			}
		case DriverScript:
			want := []string{"Olá", "Edman Smart 😉", "Meu CPF é " + cpf, "Quero comprar ingressos"}
			if !reflect.DeepEqual(u.Script, want) || u.Prompt != "" {
				t.Fatalf("user %d: script = %q, want %q", i, u.Script, want)
			}
		}
	}
	if !seen[DriverLLM] || !seen[DriverScript] {
		t.Errorf("200 users did not cover both personas: %v", seen)
	}
}

func TestPersonaMix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want map[string]float64
	}{
		{"testdata/valid/full.hcl", map[string]float64{"kataryna": 2.0 / 3, "edman": 1.0 / 3}},
		{"testdata/valid/local.hcl", map[string]float64{"kataryna": 0.25, "edman": 0.75, "dormant": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			const n = 10_000
			counts := map[string]int{}
			for _, u := range users(t, mustLoad(t, tt.file, Options{}), n) {
				counts[u.Persona.Name]++
			}
			for name, share := range tt.want {
				if got := float64(counts[name]) / n; math.Abs(got-share) > 0.03 || (share == 0 && got != 0) {
					t.Errorf("persona %s: %.3f of users, want %.3f ± 0.03", name, got, share)
				}
			}
		})
	}
}

func TestNewUserConcurrent(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/valid/full.hcl", Options{})
	want := users(t, p, 200)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range want {
				n := (i + g*25) % len(want)
				u, err := p.NewUser(n)
				if err != nil || !reflect.DeepEqual(u, want[n]) {
					errs <- "concurrent NewUser differs"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestNewUserWithoutLoad(t *testing.T) {
	t.Parallel()
	if _, err := (&Plan{}).NewUser(0); err == nil {
		t.Error("NewUser on a zero Plan succeeded")
	}
}

func BenchmarkNewUser(b *testing.B) {
	p, diags := Load("testdata/valid/full.hcl", Options{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := p.NewUser(i); err != nil {
			b.Fatal(err)
		}
	}
}
