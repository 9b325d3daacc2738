package persona

import (
	"runtime"
	"testing"

	"github.com/voyplan/voyplan/engine/datagen"
)

// BenchmarkWatchMemory: the live heap Watch adds to each virtual user's
// driver, as a run wraps them (run/personas.go: persona.Watch(d, u.Data)),
// for 10,000 waiting users with distinct data: a name, a phone written
// "+55 11 9xxxx-xxxx", an e-mail and a CPF. The users' data and drivers are
// made first and stay live, as a run's do (the conversation's record holds
// the data); B/user is the heap in use after a collection with the
// watchers, less the heap in use before.
func BenchmarkWatchMemory(b *testing.B) {
	const users = 10_000
	data := make([]map[string]map[string]string, users)
	drivers := make([]Driver, users)
	for i := range users {
		r := datagen.ForUser(7, i)
		m := datagen.BRMobile(r) // 55DD9XXXXXXXX
		data[i] = map[string]map[string]string{"customer": {
			"name":  datagen.Name(r),
			"phone": "+" + m[:2] + " " + m[2:4] + " " + m[4:9] + "-" + m[9:],
			"email": datagen.Email(r, "example.com"),
			"cpf":   datagen.CPF(r),
		}}
		drivers[i] = NewScript([]string{"Olá", "Quero comprar ingressos"})
	}
	watched := make([]Driver, users)
	var perUser float64
	for b.Loop() {
		clear(watched)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range watched {
			watched[i] = Watch(drivers[i], data[i])
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perUser = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / users
	}
	runtime.KeepAlive(watched)
	runtime.KeepAlive(drivers)
	runtime.KeepAlive(data)
	b.ReportMetric(perUser, "B/user")
}

// BenchmarkMismatch: the data check alone (mismatch, which Watch runs on
// every message) over the script's messages of BenchmarkDrift and the long
// ones, most of them disclosing the user's own number or address.
func BenchmarkMismatch(b *testing.B) {
	k := knownData(map[string]map[string]string{"customer": {"name": "Maria Souza", "cpf": "529.982.247-25", "phone": "+55 11 98765-4321", "email": "maria@example.com"}})
	msgs := append([]string{"Olá", "Maria Souza", "+55 11 98765-4321", "(11) 98765-4321", "maria@example.com", "529.982.247-25", "Meu CPF é 529.982.247-25",
		"Para o dia 11/10/2026", "CPF 111.444.777-35, e-mail joao@example.com, celular 5511987654321"}, benchLongMessages...)
	b.ReportAllocs()
	for b.Loop() {
		for _, msg := range msgs {
			_ = k.mismatch(msg)
		}
	}
}
