package lastfm

import (
	"encoding/json"
	"testing"
)

// These bodies are shapes the simulator does not produce but real
// Last.fm does; the decoders must take them all.

func TestNumbersAsStringsOrNumbers(t *testing.T) {
	var v struct {
		A, B, C, D, E flexInt
		F, G          flexFloat
	}
	body := `{"A":"1315650","B":8066450,"C":"","D":null,"E":"12.0","F":"0.5","G":1}`
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 1315650 || v.B != 8066450 || v.C != 0 || v.D != 0 || v.E != 12 || v.F != 0.5 || v.G != 1 {
		t.Fatalf("got %+v", v)
	}
	if err := json.Unmarshal([]byte(`{"A":"lots"}`), &v); err == nil {
		t.Fatal("a non-numeric string decoded as a number")
	}
}

func TestListsAndEmptyContainers(t *testing.T) {
	var v struct {
		One   lenient[tagList] `json:"one"`
		Many  lenient[tagList] `json:"many"`
		Blank lenient[tagList] `json:"blank"`
		Empty lenient[tagList] `json:"empty"`
	}
	body := `{"one":{"tag":{"name":"rock","count":"100"}},"many":{"tag":[{"name":"a"},{"name":"b"}]},"blank":"\n","empty":{"tag":""}}`
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.One.V.Tag) != 1 || v.One.V.Tag[0].Name != "rock" || v.One.V.Tag[0].Count != 100 {
		t.Fatalf("bare object: %+v", v.One)
	}
	if len(v.Many.V.Tag) != 2 || len(v.Blank.V.Tag) != 0 || len(v.Empty.V.Tag) != 0 {
		t.Fatalf("lists: %+v", v)
	}
}

func TestArtistAsObjectOrString(t *testing.T) {
	var v struct{ A, B artistRef }
	if err := json.Unmarshal([]byte(`{"A":{"name":"Linkin Park","mbid":"f59c"},"B":"Linkin Park"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.Name != "Linkin Park" || v.A.MBID != "f59c" || v.B.Name != "Linkin Park" {
		t.Fatalf("got %+v", v)
	}
}

func TestFlags(t *testing.T) {
	var v struct{ A, B, C, D flexBool }
	if err := json.Unmarshal([]byte(`{"A":"1","B":"0","C":1,"D":true}`), &v); err != nil {
		t.Fatal(err)
	}
	if !v.A || v.B || !v.C || !v.D {
		t.Fatalf("got %+v", v)
	}
}

func TestKindForCode(t *testing.T) {
	if kindForCode(6) == nil || kindForCode(12345) == nil {
		t.Fatal("every code needs a kind")
	}
}
