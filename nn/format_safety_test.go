package nn

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memnet/memnet/limits"
)

func TestParseRatDecimalOnly(t *testing.T) {
	for s, want := range map[string]string{"0": "0", "-3/4": "-3/4", "010/3": "10/3", "6/4": "3/2", "12345678901234567890": "12345678901234567890"} {
		r, err := ParseRat(s)
		if err != nil || r.RatString() != want {
			t.Errorf("ParseRat(%q) = %v, %v; want %s", s, r, err, want)
		}
	}
	for _, s := range []string{"", "0x10", "0o10", "0b1", "1p10", "0x1p-2", "1_000", "+1", "1.5", "1e3", " 1", "1/", "/2", "1/-2", "1/0", "--1", "½"} {
		if r, err := ParseRat(s); err == nil {
			t.Errorf("ParseRat(%q) = %v, want an error", s, r)
		}
	}
}

func TestCheckClasses(t *testing.T) {
	if err := CheckClasses([]string{"a", "b"}); err != nil {
		t.Error(err)
	}
	for _, cs := range [][]string{{"a", "a"}, {"a\nb"}, {"x\r"}} {
		if err := CheckClasses(cs); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v", cs, err)
		}
	}
}

func tinyModel() *Model {
	n := &Network{InputDim: 1, Readout: NewLayer(1, 1, Identity)}
	n.Readout.W[0][0].SetInt64(1)
	return &Model{Net: n, Method: "hz", Options: map[string]string{}, Classes: []string{"0", "1"}}
}

func TestWriteFileAtomicSafety(t *testing.T) {
	dir := t.TempDir()
	m := tinyModel()

	// an existing file keeps its permissions
	p := filepath.Join(dir, "kept.mnet")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("permissions %v after overwrite, want 0600", st.Mode().Perm())
	}

	// a symbolic link is written through: the link stays, its target changes
	target := filepath.Join(dir, "target.mnet")
	os.WriteFile(target, []byte("old"), 0o640)
	link := filepath.Join(dir, "link.mnet")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(link); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if got, err := Load(target); err != nil || got.Method != "hz" {
		t.Errorf("target after writing through the link: %v, %v", got, err)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o640 {
		t.Errorf("target permissions %v, want 0640", st.Mode().Perm())
	}

	// refusals name the path given
	dangling := filepath.Join(dir, "dangling.mnet")
	os.Symlink(filepath.Join(dir, "missing", "x"), dangling)
	missing := filepath.Join(dir, "no", "such", "x.mnet")
	for path, want := range map[string]string{
		"":       "path is empty",
		dir:      "cannot write " + dir + ": it is a directory",
		dangling: "cannot write " + dangling + ": it is a symbolic link to a missing file",
		missing:  "cannot write " + missing + ": the directory " + filepath.Dir(missing) + " does not exist",
	} {
		if err := m.Save(path); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), ".tmp") {
			t.Errorf("Save(%q) = %v, want %q", path, err, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left", e.Name())
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	gz := func(parts ...string) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		for _, p := range parts {
			w.Write([]byte(p))
		}
		w.Close()
		return buf.Bytes()
	}
	limits.SetNetworkBytes(1 << 20)
	limits.SetMemory(8 << 20)
	t.Cleanup(limits.Reset)
	for name, tc := range map[string]struct {
		b    []byte
		want string
	}{
		"white space padding": {gz(`{"format":"memnet",`, strings.Repeat(" ", 2<<20)), limits.NetworkBytesFlag},
		"many numbers":        {gz(`{"format":"memnet","layers":[{"w":[[`, strings.Repeat(`"1",`, 200_000), `"1"]]}]}`), limits.MemoryFlag},
		"not gzip":            {[]byte("1,2,0\n"), "not a memnet network (.mnet)"},
		"octal":               {gz(`{"format":"memnet","version":1,"method":"hz","options":{},"input_dim":1,"classes":["0"],"layers":[],"readout":{"act":"I","w":[["0o7"]],"b":["0"]}}`), `"0o7" is not an exact rational p or p/q in decimal`},
		"classes twice":       {gz(`{"format":"memnet","version":1,"method":"hz","options":{},"input_dim":1,"classes":["0","0"],"layers":[],"readout":{"w":[["1"],["0"]],"b":["0","0"],"act":"II"}}`), `class "0" is named twice`},
	} {
		var err error
		got := limits.Allocated(func() { _, err = Decode(bytes.NewReader(tc.b)) })
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", name, err, tc.want)
		}
		if got > 16<<20 {
			t.Errorf("%s: allocated %d bytes", name, got)
		}
	}
}

// FuzzDecodeLimited feeds the .mnet decoder fuzzed JSON (gzip-compressed here):
// it returns a model or a one-line error, allocates within a few times the
// limits, and a decoded model encodes to a file that decodes to the same
// bytes again.
func FuzzDecodeLimited(f *testing.F) {
	var buf bytes.Buffer
	if err := tinyModel().Encode(&buf); err != nil {
		f.Fatal(err)
	}
	zr, _ := gzip.NewReader(&buf)
	var js bytes.Buffer
	js.ReadFrom(zr)
	f.Add(js.Bytes())
	f.Add([]byte(`{"format":"memnet","version":1,"method":"park","options":{"regression":"true","eps":"NaN"},"input_dim":2,"classes":["a","b"],"layers":[{"act":"SR","w":[["1","0"],["4611686018427387904","-1/4194304"]],"b":["0","1"]}],"readout":{"act":"I","w":[["1","-7/3"]],"b":["0"]}}`))
	f.Add([]byte(`{"format":"memnet","version":1,"input_dim":1,"classes":["0"],"layers":[],"readout":{"act":"I","w":[["010/3"]],"b":["0"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		limits.SetNetworkBytes(1 << 20)
		limits.SetMemory(4 << 20)
		defer limits.Reset()
		var in bytes.Buffer
		w := gzip.NewWriter(&in)
		w.Write(b)
		w.Close()
		var m *Model
		var err error
		if got := limits.Allocated(func() { m, err = Decode(&in) }); got > 16<<20+64*uint64(len(b)) {
			t.Fatalf("allocated %d bytes for %d bytes of JSON", got, len(b))
		}
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		var e1, e2 bytes.Buffer
		if err := m.Encode(&e1); err != nil {
			t.Fatalf("decoded model does not encode: %v", err)
		}
		m2, err := Decode(bytes.NewReader(e1.Bytes()))
		if err != nil {
			t.Fatalf("re-encoded model does not decode: %v", err)
		}
		if err := m2.Encode(&e2); err != nil || !bytes.Equal(e1.Bytes(), e2.Bytes()) {
			t.Fatalf("encode → decode → encode changed the bytes (%v)", err)
		}
	})
}

func TestReadCompactJSON(t *testing.T) {
	for in, want := range map[string]string{
		"{ \"a b\" :\n\t[1,   2] }": "{ \"a b\" : [1, 2] }",
		`{"x\" y":  "z\\"}    `:     `{"x\" y": "z\\"} `,
		"1  \n 2":                   "1 2",
	} {
		got, err := readCompactJSON(strings.NewReader(in))
		if err != nil || string(got) != want {
			t.Errorf("readCompactJSON(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// referenceJSON is the .mnet text as encoding/json writes the whole
// fileModel (the encoder before the layers were streamed).
func referenceJSON(t *testing.T, m *Model) []byte {
	f := fileModel{
		Format: "memnet", Version: FormatVersion, Method: m.Method, Options: m.Options,
		InputDim: m.Net.InputDim, Classes: m.Classes, Points: m.Points,
		Theorem: m.Theorem, Predicted: m.Predicted, Hints: m.Hints,
		Readout: toFileLayer(&m.Net.Readout),
	}
	if f.Options == nil {
		f.Options = map[string]string{}
	}
	for k := range m.Net.Hidden {
		f.Layers = append(f.Layers, toFileLayer(&m.Net.Hidden[k]))
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(&f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestStreamedEncodingIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	models := []*Model{tinyModel()}
	for k := range 20 {
		m := &Model{Net: randomNetwork(rng, 1+k%4, k%2 == 0), Method: "m<&>", Classes: []string{"a", "b\"", "<c>"},
			Options: map[string]string{"z": "1", "a": "x/y"}, Theorem: "Thm & co", Predicted: map[string]int64{"depth_bound": 3},
			Hints: map[string]string{"h": "\u2028"}, Points: k}
		models = append(models, m)
	}
	for i, m := range models {
		var buf bytes.Buffer
		if err := m.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(zr)
		if want := referenceJSON(t, m); !bytes.Equal(got, want) {
			t.Fatalf("model %d: streamed\n%s\nencoding/json\n%s", i, got, want)
		}
	}
}
