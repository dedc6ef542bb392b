package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sample() *Snapshot {
	return &Snapshot{
		Step: 1234,
		Meta: []byte(`{"lr":0.001}`),
		Tensors: []Tensor{
			{Name: "param/dense0.W", Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, float32(math.Inf(1)), 0, -0.25}},
			{Name: "optim/step", Shape: []int{}, Data: []float32{7}},
			{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
		},
	}
}

func encode(t testing.TB, s *Snapshot) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, s); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []*Snapshot{
		sample(),
		{Step: 0},
		{Step: math.MaxInt64, Meta: bytes.Repeat([]byte{0xff}, 300)},
	} {
		got, err := Decode(bytes.NewReader(encode(t, s)))
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if !snapEqual(got, s) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, s)
		}
	}
	// NaN payload bits survive exactly.
	nan := math.Float32frombits(0x7fc01234)
	s := &Snapshot{Tensors: []Tensor{{Name: "n", Shape: []int{1}, Data: []float32{nan}}}}
	got, err := Decode(bytes.NewReader(encode(t, s)))
	if err != nil || math.Float32bits(got.Tensors[0].Data[0]) != 0x7fc01234 {
		t.Errorf("NaN bits: got %v, %v", got, err)
	}
}

func TestTruncationEveryOffset(t *testing.T) {
	t.Parallel()
	b := encode(t, sample())
	for n := 0; n < len(b); n++ {
		if _, err := Decode(bytes.NewReader(b[:n])); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Decode of first %d of %d bytes: err = %v, want ErrCorrupt", n, len(b), err)
		}
	}
	if _, err := Decode(bytes.NewReader(append(b, 0))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing byte: err = %v, want ErrCorrupt", err)
	}
}

func TestBitFlipEveryBit(t *testing.T) {
	t.Parallel()
	b := encode(t, sample())
	for i := range 8 * len(b) {
		c := bytes.Clone(b)
		c[i/8] ^= 1 << (i % 8)
		if _, err := Decode(bytes.NewReader(c)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip bit %d: err = %v, want ErrCorrupt", i, err)
		}
	}
}

func TestForeignAndHostile(t *testing.T) {
	t.Parallel()
	valid := encode(t, sample())
	bigLen := bytes.Clone(valid[:12])
	bigLen[8], bigLen[9], bigLen[10], bigLen[11] = 0xff, 0xff, 0xff, 0x3f // just under the cap, then EOF
	version := bytes.Clone(valid)
	version[6] = 2
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
		{"text", []byte("step = 12\nlr = 0.1\n")},
		{"huge declared payload", bigLen},
		{"future version", version},
	} {
		if _, err := Decode(bytes.NewReader(tc.b)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", tc.name, err)
		}
	}
}

// TestHostilePayload builds payloads with a valid checksum but lying counts.
func TestHostilePayload(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		payload []byte
	}{
		{"negative step", le(u64(1<<63), u32(0), u32(0))},
		{"meta too long", le(u64(1), u32(100), u32(0))},
		{"many tensors", le(u64(1), u32(0), u32(MaxTensors+1))},
		{"tensor count beyond data", le(u64(1), u32(0), u32(5))},
		{"zero-length name", le(u64(1), u32(0), u32(1), []byte{0, 0})},
		{"huge shape", le(u64(1), u32(0), u32(1), []byte{1, 0, 'a', 3}, u32(1<<31), u32(1<<31), u32(1<<31))},
		{"rank too high", le(u64(1), u32(0), u32(1), []byte{1, 0, 'a', 9})},
		{"duplicate name", le(u64(1), u32(0), u32(2), []byte{1, 0, 'a', 0}, u32(0), []byte{1, 0, 'a', 0}, u32(0))},
		{"bad utf8", le(u64(1), u32(0), u32(1), []byte{1, 0, 0xff, 0}, u32(0))},
		{"trailing payload", le(u64(1), u32(0), u32(0), []byte{9})},
	} {
		b := frame(tc.payload)
		if _, err := Decode(bytes.NewReader(b)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", tc.name, err)
		}
	}
	// The frame helper itself is right: a minimal valid payload decodes.
	if _, err := Decode(bytes.NewReader(frame(le(u64(3), u32(0), u32(0))))); err != nil {
		t.Errorf("minimal payload: %v", err)
	}
}

func TestEncodeRejects(t *testing.T) {
	t.Parallel()
	for _, s := range []*Snapshot{
		{Step: -1},
		{Tensors: []Tensor{{Name: "", Data: []float32{1}}}},
		{Tensors: []Tensor{{Name: "a", Shape: []int{2}, Data: []float32{1}}}},
		{Tensors: []Tensor{{Name: "a", Data: []float32{1}}, {Name: "a", Data: []float32{1}}}},
		{Tensors: []Tensor{{Name: "a", Shape: []int{-1}, Data: nil}}},
		{Tensors: []Tensor{{Name: strings.Repeat("x", MaxName+1), Data: []float32{1}}}},
	} {
		var b bytes.Buffer
		if err := Encode(&b, s); err == nil || b.Len() != 0 {
			t.Errorf("Encode(%+v) = %v with %d bytes written, want an error and nothing written", s, err, b.Len())
		}
	}
}

func TestSaveKeepAndLatest(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "checkpoints") // Save creates it
	if _, _, _, err := Latest(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Latest of missing dir: err = %v, want ErrNotExist", err)
	}
	// A leftover temporary file from a crash and a foreign file must not confuse anything.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".ckpt-123.tmp", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for step := int64(1); step <= 5; step++ {
		s := sample()
		s.Step = step * 100
		path, err := Save(dir, s, 3)
		if err != nil {
			t.Fatalf("Save step %d: %v", s.Step, err)
		}
		if want := filepath.Join(dir, fmt.Sprintf("ckpt-%012d.llck", s.Step)); path != want {
			t.Fatalf("Save path = %q, want %q", path, want)
		}
	}
	names := dirNames(t, dir)
	want := []string{"ckpt-000000000300.llck", "ckpt-000000000400.llck", "ckpt-000000000500.llck", "notes.txt"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("after 5 saves with keep 3: %v, want %v", names, want)
	}
	s, path, warns, err := Latest(dir)
	if err != nil || s.Step != 500 || len(warns) != 0 || filepath.Base(path) != "ckpt-000000000500.llck" {
		t.Fatalf("Latest = step %v %q %v %v", s, path, warns, err)
	}

	// Corrupt the newest: Latest falls back to 400 and reports the skip.
	p500 := filepath.Join(dir, "ckpt-000000000500.llck")
	b, _ := os.ReadFile(p500)
	b[len(b)-10] ^= 0x40
	if err := os.WriteFile(p500, b, 0o644); err != nil {
		t.Fatal(err)
	}
	// A file renamed to a newer step is also skipped.
	b400, _ := os.ReadFile(filepath.Join(dir, "ckpt-000000000400.llck"))
	if err := os.WriteFile(filepath.Join(dir, FileName(900)), b400, 0o644); err != nil {
		t.Fatal(err)
	}
	s, path, warns, err = Latest(dir)
	if err != nil || s.Step != 400 || filepath.Base(path) != "ckpt-000000000400.llck" {
		t.Fatalf("Latest after corruption = %v %q %v", s, path, err)
	}
	if len(warns) != 2 || !errors.Is(warns[0], ErrCorrupt) || !errors.Is(warns[1], ErrCorrupt) {
		t.Fatalf("warnings = %v, want two ErrCorrupt", warns)
	}

	// Everything corrupt: ErrNotExist with warnings.
	for _, name := range dirNames(t, dir) {
		if strings.HasPrefix(name, "ckpt-") {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("LLCKPT"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, _, warns, err := Latest(dir); !errors.Is(err, os.ErrNotExist) || len(warns) != 4 {
		t.Fatalf("all corrupt: err %v, %d warnings; want ErrNotExist and 4", err, len(warns))
	}
}

func TestSaveSameStepReplaces(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := sample()
	if _, err := Save(dir, s, 0); err != nil {
		t.Fatal(err)
	}
	s.Meta = []byte("second")
	if _, err := Save(dir, s, 0); err != nil {
		t.Fatal(err)
	}
	got, _, _, err := Latest(dir)
	if err != nil || string(got.Meta) != "second" || len(dirNames(t, dir)) != 1 {
		t.Fatalf("Latest = %v %v, files %v", got, err, dirNames(t, dir))
	}
	if _, err := Save(dir, &Snapshot{Step: -5}, 0); err == nil {
		t.Error("Save of a negative step succeeded")
	}
	if n := len(dirNames(t, dir)); n != 1 {
		t.Errorf("failed Save left files: %v", dirNames(t, dir))
	}
}

func FuzzDecode(f *testing.F) {
	valid := encode(f, sample())
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add(encode(f, &Snapshot{}))
	f.Add([]byte("LLCKPT\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		// Whatever decodes re-encodes to the same bytes.
		if again := encode(t, s); !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs: %d bytes vs %d", len(again), len(b))
		}
	})
}

// FuzzDecodePayload frames the fuzzed bytes with a valid header and checksum so that the
// payload parser, which random bytes rarely reach past the CRC, is exercised directly.
func FuzzDecodePayload(f *testing.F) {
	valid := encode(f, sample())
	f.Add(valid[headerSize : len(valid)-4])
	f.Add(le(u64(1), u32(0), u32(1), []byte{1, 0, 'a', 2}, u32(1<<20), u32(1<<20)))
	f.Fuzz(func(t *testing.T, payload []byte) {
		b := frame(payload)
		s, err := Decode(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if again := encode(t, s); !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs: %d bytes vs %d", len(again), len(b))
		}
	})
}
