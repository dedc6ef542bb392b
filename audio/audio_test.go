package audio

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	s, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	// Counts from scripts/gen-audio: 800+1120 keyword, 480+480 speaker, 384+192 instrument, 14×36 readings.
	want := map[string][2]int{TaskKeyword: {800, 1120}, TaskSpeaker: {480, 480}, TaskInstrument: {384, 192}}
	for name, n := range want {
		task, err := s.Task(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(task.Train) != n[0] || len(task.Test) != n[1] {
			t.Errorf("%s: %d train, %d test, want %v", name, len(task.Train), len(task.Test), n)
		}
	}
	if got := len(s.UnlabelledPool()); got != 504+800+480+384 {
		t.Errorf("unlabelled pool %d clips, want %d", got, 504+800+480+384)
	}
	kw, _ := s.Task(TaskKeyword)
	trainVoices, testVoices := map[string]bool{}, map[string]bool{}
	for _, i := range kw.Train {
		trainVoices[s.Rows[i].Voice] = true
	}
	for _, i := range kw.Test {
		testVoices[s.Rows[i].Voice] = true
		if trainVoices[s.Rows[i].Voice] {
			t.Fatalf("keyword test voice %s is also a training voice", s.Rows[i].Voice)
		}
	}
	if len(testVoices) != 14 || len(kw.Classes) != 10 {
		t.Errorf("%d test voices and %d classes, want 14 and 10", len(testVoices), len(kw.Classes))
	}
	var silent int
	for i := range s.N() {
		if s.Rows[i].Task == Unlabelled {
			continue // readings end in silence
		}
		var e float64
		for _, v := range s.Clip(i) {
			e += float64(v * v)
		}
		if e < 1e-3 {
			silent++
		}
	}
	if silent > 0 {
		t.Errorf("%d silent clips", silent)
	}
}

func TestDecodeG711(t *testing.T) {
	for _, tc := range []struct {
		b    byte
		want float32 // ITU-T G.711 table: 0xff → 0, 0x80 → +32124, 0x00 → −32124, 0xfe → −8... (sign bit clear after inversion is negative)
	}{
		{0xff, 0}, {0x7f, 0}, {0x80, 32124.0 / 32768}, {0x00, -32124.0 / 32768}, {0xfe, 8.0 / 32768}, {0x7e, -8.0 / 32768},
	} {
		if got := DecodeG711(tc.b); got != tc.want {
			t.Errorf("DecodeG711(%#x) = %v, want %v", tc.b, got, tc.want)
		}
	}
}

func TestCompand(t *testing.T) {
	for _, x := range []float32{-1, -0.5, -1e-3, 0, 1e-4, 0.25, 1} {
		if got := Expand(Compand(x)); math.Abs(float64(got-x)) > 1e-6 {
			t.Errorf("Expand(Compand(%v)) = %v", x, got)
		}
	}
	// F(1) = 1 so class 255; F(−1) = −1 so class 0; F(0) = 0 so ⌊127.5 + ½⌋ = 128.
	for x, want := range map[float32]int{1: 255, -1: 0, 0: 128} {
		if got := Class(x); got != want {
			t.Errorf("Class(%v) = %d, want %d", x, got, want)
		}
	}
}

// wav builds a WAV file with the given header fields and int16 samples.
func wav(format, channels uint16, rate uint32, bits uint16, samples []int16, dataSize uint32) []byte {
	var b bytes.Buffer
	pcm := new(bytes.Buffer)
	binary.Write(pcm, binary.LittleEndian, samples)
	if dataSize == 0 {
		dataSize = uint32(pcm.Len())
	}
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+pcm.Len()))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), format, channels, rate, rate * uint32(channels) * uint32(bits) / 8, channels * bits / 8, bits} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, dataSize)
	b.Write(pcm.Bytes())
	return b.Bytes()
}

func TestReadWAV(t *testing.T) {
	ramp := []int16{0, 16384, -16384, 32767, 8, 8}
	for _, tc := range []struct {
		name   string
		file   []byte
		want   []float32 // first samples; from the int16 values / 32768 (16 kHz: pair means)
		reason string    // substring of the error, "" for success
	}{
		{"8k mono", wav(1, 1, 8000, 16, ramp, 0), []float32{0, 0.5, -0.5, 32767.0 / 32768, 8.0 / 32768}, ""},
		{"16k decimated", wav(1, 1, 16000, 16, ramp, 0), []float32{0.25, (32767.0 - 16384) / 2 / 32768, 8.0 / 32768, 0}, ""},
		{"streamed sizes", wav(1, 1, 8000, 16, ramp, 0x7fffffff), []float32{0, 0.5}, ""},
		{"stereo", wav(1, 2, 8000, 16, ramp, 0), nil, "2 channels"},
		{"44.1 kHz", wav(1, 1, 44100, 16, ramp, 0), nil, "sample rate 44100"},
		{"8-bit", wav(1, 1, 8000, 8, ramp, 0), nil, "8 bits"},
		{"float", wav(3, 1, 8000, 16, ramp, 0), nil, "format tag 3"},
		{"not riff", []byte("RIFX0000WAVEfmt "), nil, "bad header"},
		{"empty", nil, nil, "bad header"},
		{"no data", wav(1, 1, 8000, 16, ramp, 0)[:36], nil, "no data chunk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadWAV(bytes.NewReader(tc.file))
			if tc.reason != "" {
				var we *WAVError
				if !errors.As(err, &we) || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.reason) {
					t.Fatalf("err = %v, want a *WAVError about %q", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != ClipLen || !slices.Equal(got[:len(tc.want)], tc.want) {
				t.Errorf("got %d samples starting %v, want %v", len(got), got[:len(tc.want)], tc.want)
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"yes/a_nohash_0.wav", "yes/b_nohash_0.wav", "no/a_nohash_1.wav", "no/c_nohash_0.wav", "_background_noise_/x.wav"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), wav(1, 1, 8000, 16, []int16{100, 200}, 0), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "testing_list.txt"), []byte("yes/b_nohash_0.wav\nno/c_nohash_0.wav\n"), 0o644)
	s, err := ReadDir(dir, DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	task, err := s.Task(TaskKeyword)
	if err != nil {
		t.Fatal(err)
	}
	if len(task.Train) != 2 || len(task.Test) != 2 || !slices.Equal(task.Classes, []string{"no", "yes"}) {
		t.Errorf("train %v test %v classes %v", task.Train, task.Test, task.Classes)
	}
	os.WriteFile(filepath.Join(dir, "no", "bad.wav"), wav(1, 2, 8000, 16, []int16{1, 2}, 0), 0o644)
	_, err = ReadDir(dir, DirOptions{})
	var we *WAVError
	if !errors.As(err, &we) || !strings.HasSuffix(we.Path, "bad.wav") {
		t.Errorf("bad file: err = %v, want a *WAVError naming bad.wav", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(make([]byte, ClipLen))
	zw.Close()
	good := "id,task,split,label,voice,word,speed,pitch\n0,keyword,train,yes,v,yes,1,2\n"
	if _, err := Decode(bytes.NewReader(gz.Bytes()), strings.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	for name, idx := range map[string]string{
		"header":    "id,task\n0,keyword\n",
		"two clips": good + "1,keyword,train,no,v,no,1,2\n",
		"bad id":    "id,task,split,label,voice,word,speed,pitch\n5,keyword,train,yes,v,yes,1,2\n",
		"bad split": "id,task,split,label,voice,word,speed,pitch\n0,keyword,dev,yes,v,yes,1,2\n",
		"no label":  "id,task,split,label,voice,word,speed,pitch\n0,keyword,train,,v,yes,1,2\n",
		"empty":     "id,task,split,label,voice,word,speed,pitch\n",
	} {
		if _, err := Decode(bytes.NewReader(gz.Bytes()), strings.NewReader(idx)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
}

func FuzzReadWAV(f *testing.F) {
	f.Add(wav(1, 1, 8000, 16, []int16{1, 2, 3}, 0))
	f.Add(wav(1, 1, 16000, 16, []int16{1, 2, 3}, 0x7fffffff))
	f.Add(wav(1, 2, 8000, 16, []int16{1, 2, 3}, 0))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := ReadWAV(bytes.NewReader(b))
		if err == nil && len(x) != ClipLen {
			t.Fatalf("%d samples", len(x))
		}
		if err != nil && !errors.Is(err, ErrFormat) {
			t.Fatalf("error %v does not wrap ErrFormat", err)
		}
	})
}

func FuzzDecode(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(make([]byte, ClipLen))
	zw.Close()
	f.Add(gz.Bytes(), []byte("id,task,split,label,voice,word,speed,pitch\n0,keyword,train,yes,v,yes,1,2\n"))
	f.Add([]byte{0x1f, 0x8b}, []byte("id,task,split,label,voice,word,speed,pitch\n"))
	f.Fuzz(func(t *testing.T, clips, index []byte) {
		s, err := Decode(bytes.NewReader(clips), bytes.NewReader(index))
		if err == nil && len(s.Samples) != s.N()*ClipLen {
			t.Fatalf("%d samples for %d clips", len(s.Samples), s.N())
		}
	})
}

func TestSSLTargets(t *testing.T) {
	x := []float32{0, 0.5, -0.5, 1, 0.25, 0}
	in, target := make([]float32, 6), make([]float32, 6)
	cls := make([]int32, 6)
	NextStep(in, cls, x)
	if cls[0] != int32(Class(0.5)) || cls[5] != -1 || in[1] != Compand(0.5) {
		t.Errorf("NextStep: in %v classes %v", in, cls)
	}
	Upsample(in, target, x)
	// d = [0.25, 0.25, 0.125]; u = [0.25, 0.25, 0.25, 0.1875, 0.125, 0.125]
	want := []float32{0.25, 0.25, 0.25, 0.1875, 0.125, 0.125}
	for i := range want {
		if math.Abs(float64(in[i]-Compand(want[i]))) > 1e-6 || target[i] != Compand(x[i]) {
			t.Fatalf("Upsample: in %v target %v", in, target)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	Denoise(in, target, x, 10, 10, rng)
	if slices.Equal(in, target) {
		t.Error("Denoise added no noise")
	}
}

func TestAugmentDeterministic(t *testing.T) {
	src := make([]float32, 800)
	for i := range src {
		src[i] = float32(math.Sin(float64(i) / 7))
	}
	a := Augment{MaxGain: 2, MaxShift: 40, MaxSpeed: 0.1, SNRLo: 5, SNRHi: 20}
	d1, d2 := make([]float32, 800), make([]float32, 800)
	a.Apply(d1, src, rand.New(rand.NewPCG(3, 4)))
	a.Apply(d2, src, rand.New(rand.NewPCG(3, 4)))
	if !slices.Equal(d1, d2) || slices.Equal(d1, src) {
		t.Error("augmentation is not deterministic per seed, or did nothing")
	}
	x := []float32{1, 2, 3, 4}
	Shift(x, 1)
	if !slices.Equal(x, []float32{0, 1, 2, 3}) {
		t.Errorf("Shift(+1) = %v", x)
	}
	Shift(x, -2)
	if !slices.Equal(x, []float32{2, 3, 0, 0}) {
		t.Errorf("Shift(-2) = %v", x)
	}
}

func TestLabelledPaired(t *testing.T) {
	s, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	task, _ := s.Task(TaskInstrument)
	a, _ := task.Labelled(5, 7)
	b, _ := task.Labelled(5, 7)
	c, _ := task.Labelled(5, 8)
	if !slices.Equal(a, b) || slices.Equal(a, c) || len(a) != 5*len(task.Classes) {
		t.Errorf("subsets: %v %v %v", a, b, c)
	}
	if _, err := task.Labelled(1000, 1); err == nil {
		t.Error("asking for more clips than a class has succeeded")
	}
}
