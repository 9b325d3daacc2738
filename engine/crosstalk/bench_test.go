package crosstalk

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/transcript"
)

// benchUser is user n's data as the plans' customer block draws it.
func benchUser(n int) map[string]map[string]string {
	r := datagen.ForUser(7, n)
	return map[string]map[string]string{"customer": {
		"name": datagen.Name(r), "phone": datagen.BRMobile(r), "email": datagen.Email(r, "example.com"), "cpf": datagen.CPF(r),
	}}
}

// indexOf is an index of users 0..n-1 with a payment link each.
func indexOf(b *testing.B, n int) *Index {
	b.Helper()
	x := NewIndex()
	for u := range n {
		x.AddUser(u, benchUser(u))
		link := "https://pay.smarttalks.ai/" + datagen.UUID(rand.New(rand.NewPCG(uint64(u), 1)))[:24]
		x.AddLinks(u, text("Link: "+link))
	}
	return x
}

// The replies of the simulator's flow a check sees most: a short one, and
// the order summary echoing the customer's own data (matches, all own).
var (
	shortReply   = text("Anotado! Qual o seu e-mail?")
	summaryReply = text("Resumo do pedido:\n• 2x Adulto 1 dia (R$ 640,00)\n• Data: 11/10/2026\n• Cabana: não\n"+
		"• Nome: %NAME%\n• Celular: %PHONE%\n• E-mail: %EMAIL%\n• CPF: %CPF%\n• Total: R$ 640,00",
		"Posso confirmar? A forma de pagamento é Pix.")
)

func summaryOf(d map[string]map[string]string) []transcript.Message {
	c := d["customer"]
	t := summaryReply[0].Text
	for k, v := range map[string]string{"%NAME%": c["name"], "%PHONE%": c["phone"], "%EMAIL%": c["email"], "%CPF%": c["cpf"]} {
		t = replaceAll(t, k, v)
	}
	return append(text(t), summaryReply[1])
}

func replaceAll(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + replaceAll(s[i+len(old):], old, new)
		}
	}
	return s
}

// BenchmarkCheck is the cost per reply on the hot path, in an index of
// 10,000 customers (40,000 values, 10,000 links).
func BenchmarkCheck(b *testing.B) {
	x := indexOf(b, 10_000)
	own := summaryOf(benchUser(42))
	leak := summaryOf(benchUser(43))
	for _, bc := range []struct {
		name  string
		reply []transcript.Message
		leaks bool
	}{
		{"clean-short", shortReply, false},
		{"clean-own-data", own, false},
		{"leak", leak, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := x.Check(42, bc.reply); (len(got) > 0) != bc.leaks {
					b.Fatalf("Check = %v, want leaks %v", got, bc.leaks)
				}
			}
		})
	}
}

// BenchmarkAddUser is the cost of a user start growing the index to n
// users, amortised over all of them, and the longest single one (a merge
// of the biggest levels).
func BenchmarkAddUser(b *testing.B) {
	for _, n := range []int{2_000, 10_000} {
		b.Run(itoa(n), func(b *testing.B) {
			var worst time.Duration
			for b.Loop() {
				x := NewIndex()
				for u := range n {
					start := time.Now()
					x.AddUser(u, benchUser(u))
					worst = max(worst, time.Since(start))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/user")
			b.ReportMetric(float64(worst.Microseconds()), "worst-µs")
		})
	}
}

// memUser is user n's data in the shape a run's customer block has it:
// "Ana Beatriz Souza", "+55 11 91234-5678", "ana.souza123@example.com.br",
// "123.456.789-09".
func memUser(n int) map[string]map[string]string {
	r := datagen.ForUser(11, n)
	m := datagen.BRMobile(r) // 55 DD 9XXXXXXXX
	return map[string]map[string]string{"customer": {
		"name":  datagen.Name(r),
		"phone": "+" + m[:2] + " " + m[2:4] + " " + m[4:9] + "-" + m[9:],
		"email": datagen.Email(r, "example.com.br"),
		"cpf":   datagen.CPF(r),
	}}
}

// BenchmarkIndexMemory is the live heap an index keeps per user, at
// 10,000 users of 4 values each: the heap after a GC with the index built,
// less the heap before (the users' data is made, and kept, before).
func BenchmarkIndexMemory(b *testing.B) {
	const n = 10_000
	data := make([]map[string]map[string]string, n)
	for u := range data {
		data[u] = memUser(u)
	}
	var perUser float64
	for b.Loop() {
		b.StopTimer()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		x := NewIndex()
		for u, d := range data {
			x.AddUser(u, d)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(x)
		perUser = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
		b.StartTimer()
	}
	runtime.KeepAlive(data)
	b.ReportMetric(perUser, "B/user")
}

func itoa(n int) string { return strconv.Itoa(n/1000) + "k" }
