package plan

import (
	"testing"
)

func TestLoadReplay(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/valid/replay.hcl", Options{})
	replayed, kataryna, ending := p.Personas[0], p.Personas[1], p.Personas[2]
	r := replayed.Replay
	if replayed.Driver != DriverReplay || r == nil || r.Takeover != kataryna || r.Threshold != 0.6 {
		t.Fatalf("replayed = %+v, replay %+v; want a replay persona, kataryna taking over, divergence 0.6", replayed, r)
	}
	var ids []string
	for _, c := range r.Recordings {
		ids = append(ids, c.ID)
	}
	// in the order they started; the one that sent nothing and the torn last line left out
	if len(ids) != 2 || ids[0] != "a" || ids[1] != "b" {
		t.Fatalf("recordings %v, want [a b]", ids)
	}
	if e := ending.Replay; e.Takeover != nil || e.Threshold != 0.25 || len(e.Recordings) != 2 {
		t.Fatalf("ending = %+v; want no takeover, divergence 0.25, the same two recordings", e)
	}
	if !p.Plays(replayed) || !p.Plays(kataryna) || p.Plays(ending) {
		t.Fatalf("Plays: replayed %v, kataryna %v, ending %v; want true, true (the takeover), false (weight 0)",
			p.Plays(replayed), p.Plays(kataryna), p.Plays(ending))
	}
	u, err := p.NewUser(3)
	if err != nil {
		t.Fatal(err)
	}
	tu, err := p.Takeover(u, r.Recordings[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if tu.Persona != kataryna || tu.N != 3 || tu.Prompt != "Você é Ana Reis." || tu.Data["customer"]["name"] != "Ana Reis" {
		t.Fatalf("takeover user %+v; want kataryna for user 3, prompted with the recorded name", tu)
	}
	if _, err := p.Takeover(u, map[string]map[string]string{}); err == nil {
		t.Fatal("a recording without the data the prompt reads rendered")
	}
}
