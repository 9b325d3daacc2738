package datagen

import (
	"regexp"
	"testing"
)

func TestCPFKnownValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"529.982.247-25", true},
		{"52998224725", true},
		{"529.982.247-24", false}, // second check digit wrong
		{"529.982.247-15", false}, // first check digit wrong
		{"111.111.111-11", false}, // all equal: arithmetic holds, Receita rejects
		{"123.456.789-0", false},  // too short
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ValidCPF(tt.in); got != tt.want {
				t.Errorf("ValidCPF(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestGeneratedDataIsValid(t *testing.T) {
	t.Parallel()
	cpfFormat := regexp.MustCompile(`^\d{3}\.\d{3}\.\d{3}-\d{2}$`)
	email := regexp.MustCompile(`^[a-z]+\.[a-z]+\d{4}@smarttalks\.com\.br$`)
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for n := 0; n < 5000; n++ {
		r := ForUser(42, n)
		if c := CPF(r); !ValidCPF(c) || !cpfFormat.MatchString(c) {
			t.Fatalf("user %d: CPF %q is not a valid, formatted CPF", n, c)
		}
		if p := BRMobile(r); len(p) != 13 || !ValidBRMobile(p) {
			t.Fatalf("user %d: mobile %q is not 13 digits 55DD9XXXXXXXX", n, p)
		}
		if e := Email(r, "smarttalks.com.br"); !email.MatchString(e) || !ValidEmail(e) {
			t.Fatalf("user %d: e-mail %q", n, e)
		}
		if u := UUID(r); !uuid4.MatchString(u) {
			t.Fatalf("user %d: uuid %q", n, u)
		}
		if nm := Name(r); len(regexp.MustCompile(`\s+`).Split(nm, -1)) != 3 {
			t.Fatalf("user %d: name %q is not first name and two surnames", n, nm)
		}
	}
}

func TestSameSeedSameData(t *testing.T) {
	t.Parallel()
	draw := func(seed uint64, n int) [4]string {
		r := ForUser(seed, n)
		return [4]string{CPF(r), BRMobile(r), Email(r, "x.com"), Name(r)}
	}
	distinct := map[string]bool{}
	for n := 0; n < 1000; n++ {
		a, b := draw(7, n), draw(7, n)
		if a != b {
			t.Fatalf("user %d: same seed gave %v and %v", n, a, b)
		}
		if draw(8, n) == a {
			t.Fatalf("user %d: seeds 7 and 8 gave the same data %v", n, a)
		}
		distinct[a[0]] = true
	}
	if len(distinct) < 990 {
		t.Errorf("only %d distinct CPFs in 1000 users", len(distinct))
	}
}

func TestValidBRMobile(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"5585991234567":       true,
		"+55 (85) 99123-4567": true,
		"558591234567":        false, // the old tool's 12 digits
		"5585891234567":       false, // not a mobile: no leading 9
		"4485991234567":       false,
	} {
		if got := ValidBRMobile(in); got != want {
			t.Errorf("ValidBRMobile(%q) = %v, want %v", in, got, want)
		}
	}
}
