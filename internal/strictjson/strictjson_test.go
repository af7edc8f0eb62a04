package strictjson

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/memnet/memnet/limits"
)

type layer struct {
	Act string     `json:"act"`
	W   [][]string `json:"W"`
}

type doc struct {
	Format  string            `json:"format"`
	Options map[string]string `json:"options"`
	Layers  []layer           `json:"layers"`
	N       int               `json:"n"`
	Any     any               `json:"any"`
}

func TestCheck(t *testing.T) {
	typ := reflect.TypeFor[doc]()
	for _, tc := range []struct{ in, want string }{
		{`{"format":"m","options":{"a":"1","A":"2"},"layers":[{"act":"R","W":[["1"]]}],"n":3,"any":{"x":[1,{"y":2}]}}`, ""},
		{`{}`, ""},
		{`{"layers":[],"Layers":[{"act":"R"}]}`, `key "Layers" is not the format's "layers"`},
		{`{"layers":[],"layers":[{"act":"R"}]}`, `key "layers" appears twice`},
		{`{"layers":[],"\u006cayers":[]}`, `key "layers" appears twice`},
		{`{"layers":[{"act":"R","w":[]}]}`, `layers: key "w" is not the format's "W"`},
		{`{"layers":[{"act":"R","act":"S"}]}`, `layers: key "act" appears twice`},
		{`{"options":{"a":"1","a":"2"}}`, `options: key "a" appears twice`},
		{`{"any":{"x":{"y":1,"y":2}}}`, `any.x: key "y" appears twice`},
		{`{"formats":"m"}`, `unknown key "formats"`},
		{`{"n":` + strings.Repeat("9", 200) + `}`, `n: a number has 200 characters, more than the limit of 100`},
		{`{"n":` + strings.Repeat("9", 100) + `}`, ""},
	} {
		if !json.Valid([]byte(tc.in)) {
			t.Fatalf("test input %s is not JSON", tc.in)
		}
		limits.SetNumberDigits(100)
		err := Check([]byte(tc.in), typ)
		limits.Reset()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// FuzzCheck: on any text encoding/json accepts, Check returns without
// panicking, and it refuses every object in which encoding/json would see
// two keys that fold to one field.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"layers":[{"act":"R","W":[["1"]]}]}`, `{"Layers":[]}`, `{"options":{"a":"1","a":"2"}}`, `{"any":[1,"\"",{}]}`, `[1,2]`, `"x"`} {
		f.Add(s)
	}
	typ := reflect.TypeFor[doc]()
	f.Fuzz(func(t *testing.T, s string) {
		var d doc
		if json.Unmarshal([]byte(s), &d) != nil {
			return
		}
		err := Check([]byte(s), typ)
		// a top-level object whose keys are all exact field names, given
		// once, must not be refused for its keys
		var m map[string]json.RawMessage
		if err != nil || json.Unmarshal([]byte(s), &m) != nil {
			return
		}
		for k := range m {
			if _, ok := structFields(typ)[k]; !ok {
				t.Fatalf("%s: key %q accepted", s, k)
			}
		}
	})
}
