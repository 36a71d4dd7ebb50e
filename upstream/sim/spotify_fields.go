package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// spFieldSet is a parsed ?fields= projection: the keys to keep (a nil
// value keeps the whole subtree) and the keys to drop ("!name").
type spFieldSet struct {
	keep map[string]*spFieldSet
	drop map[string]bool
}

var errSpFields = errors.New("invalid fields expression")

// spProject applies Spotify's fields syntax, for example
// "items(added_at,item(name,uri,artists(name)))" or "items(!track)", to
// the JSON form of body. Lists are projected element by element.
func spProject(body any, spec string) (any, error) {
	set, rest, err := spParseFields(spec)
	if err != nil || rest != "" {
		return nil, errSpFields
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return set.apply(v), nil
}

// spParseFields reads a comma-separated list up to a closing parenthesis
// or the end, returning what is left unread.
func spParseFields(s string) (*spFieldSet, string, error) {
	set := &spFieldSet{keep: map[string]*spFieldSet{}, drop: map[string]bool{}}
	for {
		s = strings.TrimSpace(s)
		negate := strings.HasPrefix(s, "!")
		if negate {
			s = s[1:]
		}
		end := strings.IndexAny(s, ",()")
		if end < 0 {
			end = len(s)
		}
		name := strings.TrimSpace(s[:end])
		if name == "" {
			return nil, "", errSpFields
		}
		s = s[end:]
		var sub *spFieldSet
		if strings.HasPrefix(s, "(") {
			var err error
			sub, s, err = spParseFields(s[1:])
			if err != nil || !strings.HasPrefix(s, ")") {
				return nil, "", errSpFields
			}
			s = s[1:]
		}
		if negate {
			set.drop[name] = true
		} else {
			set.keep[name] = sub
		}
		if !strings.HasPrefix(s, ",") {
			return set, s, nil
		}
		s = s[1:]
	}
}

func (fs *spFieldSet) apply(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fs.apply(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		if len(fs.keep) == 0 {
			for k, e := range x {
				out[k] = e
			}
		}
		for k, sub := range fs.keep {
			e, ok := x[k]
			switch {
			case !ok:
			case sub == nil:
				out[k] = e
			default:
				out[k] = sub.apply(e)
			}
		}
		for k := range fs.drop {
			delete(out, k)
		}
		return out
	}
	return v
}
