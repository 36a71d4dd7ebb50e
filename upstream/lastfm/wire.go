package lastfm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Last.fm's JSON is converted from its XML, so the same field can be a
// number in one method and a string in another, a list can arrive as a
// bare object when it has one entry, and empty containers can arrive as
// "" instead of {}. The types below absorb all of that at decode time.

// flexInt is an integer sent as a number, a numeric string, "" or null.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s, err := numberText(b)
	if err != nil || s == "" {
		*n = 0
		return err
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = flexInt(v)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("lastfm: %q is not a number: %w", s, err)
	}
	*n = flexInt(math.Round(f))
	return nil
}

// flexFloat is a float sent as a number, a numeric string, "" or null.
type flexFloat float64

func (n *flexFloat) UnmarshalJSON(b []byte) error {
	s, err := numberText(b)
	if err != nil || s == "" {
		*n = 0
		return err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("lastfm: %q is not a number: %w", s, err)
	}
	*n = flexFloat(f)
	return nil
}

// numberText returns the text of a number sent bare or quoted; "" for
// null and empty strings.
func numberText(b []byte) (string, error) {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return "", nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return "", fmt.Errorf("lastfm: bad number string: %w", err)
		}
		return strings.TrimSpace(str), nil
	}
	return s, nil
}

// flexBool is Last.fm's "0"/"1" flag (sometimes a number or a boolean).
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	*v = flexBool(s == "1" || strings.EqualFold(s, "true"))
	return nil
}

// list is a JSON list that may also arrive as one bare object, or as ""
// or null when empty.
type list[T any] []T

func (l *list[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null" || b[0] == '"':
		*l = nil
		return nil
	case b[0] == '[':
		var items []T
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		*l = items
		return nil
	case b[0] == '{':
		var one T
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = list[T]{one}
		return nil
	}
	return fmt.Errorf("lastfm: want a list or an object, got %.20s", b)
}

// lenient is an object Last.fm may replace by "" or "\n" when empty.
type lenient[T any] struct{ V T }

func (o *lenient[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" || b[0] == '"' {
		var zero T
		o.V = zero
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// artistRef is an artist reference: an object with name, mbid and url in
// most places, a plain name string in others (album.artist).
type artistRef struct {
	Name string `json:"name"`
	MBID string `json:"mbid"`
	URL  string `json:"url"`
}

func (a *artistRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		*a = artistRef{}
		return json.Unmarshal(b, &a.Name)
	}
	type plain artistRef
	return json.Unmarshal(b, (*plain)(a))
}

type image struct {
	URL  string `json:"#text"`
	Size string `json:"size"`
}

type tag struct {
	Name  string  `json:"name"`
	URL   string  `json:"url"`
	Count flexInt `json:"count"`
}

type tagList struct {
	Tag list[tag] `json:"tag"`
}

type wikiText struct {
	Published string `json:"published"`
	Summary   string `json:"summary"`
	Content   string `json:"content"`
}

// pickImage returns the URL of the largest image among the wanted sizes
// (best first), or "" when there is none.
func pickImage(images []image, sizes ...string) string {
	for _, size := range sizes {
		for _, im := range images {
			if im.Size == size && im.URL != "" {
				return im.URL
			}
		}
	}
	return ""
}
