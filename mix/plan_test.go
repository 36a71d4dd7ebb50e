package mix

import (
	"math"
	"testing"
)

func peakPhase(minutes, target float64) ArcPhase {
	return ArcPhase{DurationMinutes: minutes, Name: "peak", TargetEnergy: target, TargetBPMRange: [2]float64{120, 140}}
}

func plannedScores(p []PlannedTrack) (names []string, scores []float64) {
	for _, t := range p {
		names = append(names, t.Name)
		scores = append(scores, math.Round(t.TransitionScore*1e6)/1e6)
	}
	return names, scores
}

// §5.1 #29–33.
func TestOrderByTransition(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		if got := OrderByTransition(nil, []ArcPhase{peakPhase(15, 0.8)}, nil); len(got) != 0 || got == nil {
			t.Errorf("got %v", got)
		}
	})
	t.Run("bpm order", func(t *testing.T) {
		cands := []TrackProfile{
			profile(func(p *TrackProfile) { p.Name, p.Artist, p.BPM = "Fast", "A", fp(160) }),
			profile(func(p *TrackProfile) { p.Name, p.Artist, p.BPM = "Slow", "B", fp(80) }),
			profile(func(p *TrackProfile) { p.Name, p.Artist, p.BPM = "Medium", "C", fp(120) }),
		}
		start := profile(func(p *TrackProfile) { p.BPM = fp(115) })
		names, scores := plannedScores(OrderByTransition(cands, []ArcPhase{peakPhase(30, 0.7)}, &start))
		if !eq(names, []string{"Medium", "Fast", "Slow"}) || !eq(scores, []float64{1, 0.740601, 0.700006}) {
			t.Errorf("got %v %v", names, scores)
		}
	})
	t.Run("artist spread", func(t *testing.T) {
		cands := []TrackProfile{
			profile(func(p *TrackProfile) { p.Name, p.Artist, p.BPM = "A1", "Same", fp(121) }),
			profile(func(p *TrackProfile) { p.Name, p.Artist, p.BPM = "B", "Different", fp(122) }),
			profile(func(p *TrackProfile) { p.Name, p.Artist, p.BPM = "A2", "Same", fp(123) }),
		}
		names, scores := plannedScores(OrderByTransition(cands, []ArcPhase{peakPhase(30, 0.8)}, nil))
		if !eq(names, []string{"A1", "B", "A2"}) || !eq(scores, []float64{1, 1, 0.85}) {
			t.Errorf("got %v %v", names, scores)
		}
	})
	t.Run("arc quotas", func(t *testing.T) {
		var cands []TrackProfile
		for i := range 10 {
			cands = append(cands, profile(func(p *TrackProfile) {
				p.Name, p.Artist, p.BPM = "T"+itoa(i), "Artist "+itoa(i), fp(100+5*float64(i))
			}))
		}
		phases := []ArcPhase{
			{DurationMinutes: 10, Name: "warm-up", TargetEnergy: 0.4, TargetBPMRange: [2]float64{100, 120}},
			{DurationMinutes: 20, Name: "peak", TargetEnergy: 0.9, TargetBPMRange: [2]float64{120, 140}},
			{DurationMinutes: 10, Name: "cooldown", TargetEnergy: 0.3, TargetBPMRange: [2]float64{100, 120}},
		}
		plan := OrderByTransition(cands, phases, nil)
		count := map[string]int{}
		for _, p := range plan {
			count[p.ArcPhase]++
		}
		if count["warm-up"] != 3 || count["peak"] != 5 || count["cooldown"] != 2 {
			t.Errorf("quotas %v", count)
		}
		_, scores := plannedScores(plan)
		want := []float64{0.958818, 0.958818, 0.958818, 0.99505, 0.99505, 0.99505, 0.99505, 0.99505, 0.901633, 0.901633}
		if !eq(scores, want) {
			t.Errorf("scores %v", scores)
		}
	})
	t.Run("single", func(t *testing.T) {
		c := profile(func(p *TrackProfile) { p.Name, p.Artist, p.URI = "Track 1", "Artist 1", "spotify:track:1" })
		plan := OrderByTransition([]TrackProfile{c}, []ArcPhase{peakPhase(15, 0.8)}, nil)
		want := PlannedTrack{
			ArcPhase: "peak", Artist: "Artist 1", BPM: c.BPM, Energy: 0.7, Name: "Track 1", SpotifyURI: "spotify:track:1",
			TransitionScore: 1, Reason: "Transition score: 1.00 (BPM, energy, genre match for peak phase)",
		}
		if len(plan) != 1 || plan[0].BPM == nil || *plan[0].BPM != 120 {
			t.Fatalf("got %+v", plan)
		}
		plan[0].BPM = want.BPM
		if plan[0] != want {
			t.Errorf("got %+v", plan)
		}
	})
}

func TestSetPlanValidate(t *testing.T) {
	good := &SetPlan{Arc: ArcTemplate{Name: "x", Phases: []ArcPhase{peakPhase(30, 0.8)}, TotalDurationMinutes: 30}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*SetPlan){
		"no phases":   func(p *SetPlan) { p.Arc.Phases = nil },
		"duration":    func(p *SetPlan) { p.Arc.TotalDurationMinutes = 500 },
		"phase bpm":   func(p *SetPlan) { p.Arc.Phases[0].TargetBPMRange[0] = 5 },
		"position":    func(p *SetPlan) { p.CurrentPosition = -1 },
		"track score": func(p *SetPlan) { p.Tracks = []PlannedTrack{{TransitionScore: 2}} },
	} {
		p := good.clone()
		mutate(p)
		if p.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
