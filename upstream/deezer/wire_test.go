package deezer

import (
	"encoding/json"
	"errors"
	"testing"

	"dj/upstream"
)

// Shapes real Deezer sends that the simulator does not: bpm as null or an
// integer, and an error object without a code.

func TestTrackNumbersDecode(t *testing.T) {
	for body, want := range map[string]float64{
		`{"id":1,"bpm":123.4}`: 123.4,
		`{"id":1,"bpm":120}`:   120,
		`{"id":1,"bpm":null}`:  0,
		`{"id":1,"bpm":"98"}`:  98,
		`{"id":1}`:             0,
	} {
		var w trackWire
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := w.track().BPM; got != want {
			t.Errorf("%s: bpm %v, want %v", body, got, want)
		}
	}
}

func TestErrorWithoutCode(t *testing.T) {
	var env errorEnvelope
	if err := json.Unmarshal([]byte(`{"error":{"type":"Exception","message":"An error has occured"}}`), &env); err != nil {
		t.Fatal(err)
	}
	if !env.present() {
		t.Fatal("error object not seen")
	}
	if err := env.toError("track", 200); !errors.Is(err, upstream.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}

func TestAdvancedQueries(t *testing.T) {
	if got := TrackQuery(` Daft "Punk" `, "One More Time"); got != `artist:"Daft Punk" track:"One More Time"` {
		t.Fatalf("TrackQuery = %s", got)
	}
	if got := ISRCQuery(" GBDUW0000059 "); got != "isrc:GBDUW0000059" {
		t.Fatalf("ISRCQuery = %s", got)
	}
}
