package checkpoint

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// reader walks a checksum-verified payload; every read is bounds-checked.
type reader struct {
	b   []byte
	off int
}

func (r *reader) pos() int64 { return int64(headerSize + r.off) }

func (r *reader) take(n int, what string) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, corrupt(r.pos(), "%s needs %d bytes, %d remain in the payload", what, n, len(r.b)-r.off)
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s, nil
}

func (r *reader) u32(what string) (uint32, error) {
	s, err := r.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(s), nil
}

func parsePayload(p []byte) (*Snapshot, error) {
	r := &reader{b: p}
	s, err := r.take(8, "step")
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Step: int64(binary.LittleEndian.Uint64(s))}
	if snap.Step < 0 {
		return nil, corrupt(r.pos()-8, "negative step %d", snap.Step)
	}
	m, err := r.u32("metadata length")
	if err != nil {
		return nil, err
	}
	if m > MaxMeta {
		return nil, corrupt(r.pos()-4, "metadata length %d exceeds %d", m, MaxMeta)
	}
	meta, err := r.take(int(m), "metadata")
	if err != nil {
		return nil, err
	}
	snap.Meta = append([]byte(nil), meta...)
	count, err := r.u32("tensor count")
	if err != nil {
		return nil, err
	}
	if count > MaxTensors {
		return nil, corrupt(r.pos()-4, "tensor count %d exceeds %d", count, MaxTensors)
	}
	seen := make(map[string]bool)
	for i := 0; i < int(count); i++ {
		t, err := r.tensor(i, seen)
		if err != nil {
			return nil, err
		}
		snap.Tensors = append(snap.Tensors, t)
	}
	if r.off != len(p) {
		return nil, corrupt(r.pos(), "%d unparsed bytes at the end of the payload", len(p)-r.off)
	}
	return snap, nil
}

func (r *reader) tensor(i int, seen map[string]bool) (Tensor, error) {
	var t Tensor
	start := r.pos()
	ln, err := r.take(2, "tensor name length")
	if err != nil {
		return t, err
	}
	l := int(binary.LittleEndian.Uint16(ln))
	if l == 0 || l > MaxName {
		return t, corrupt(start, "tensor %d: name length %d outside 1..%d", i, l, MaxName)
	}
	name, err := r.take(l, "tensor name")
	if err != nil {
		return t, err
	}
	if !utf8.Valid(name) {
		return t, corrupt(start+2, "tensor %d: name is not UTF-8", i)
	}
	t.Name = string(name)
	if seen[t.Name] {
		return t, corrupt(start+2, "tensor name %q appears twice", t.Name)
	}
	seen[t.Name] = true
	rk, err := r.take(1, "tensor rank")
	if err != nil {
		return t, err
	}
	if int(rk[0]) > MaxRank {
		return t, corrupt(r.pos()-1, "tensor %q: rank %d exceeds %d", t.Name, rk[0], MaxRank)
	}
	t.Shape = make([]int, rk[0])
	n := int64(1)
	for k := range t.Shape {
		d, err := r.u32("tensor dimension")
		if err != nil {
			return t, err
		}
		t.Shape[k] = int(d)
		n *= int64(d)
		if 4*n > int64(len(r.b)-r.off) { // also bounds n before it can overflow
			return t, corrupt(r.pos()-4, "tensor %q: shape %v needs more bytes than remain", t.Name, t.Shape[:k+1])
		}
	}
	raw, err := r.take(int(4*n), "tensor data")
	if err != nil {
		return t, err
	}
	t.Data = make([]float32, n)
	for j := range t.Data {
		t.Data[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
	}
	return t, nil
}
