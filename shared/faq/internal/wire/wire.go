// Package wire writes and reads the little-endian fields of frontdesk's binary model file: the
// model's header (package faq) and the matcher (package match) share it. It does no I/O: a
// Writer appends to memory, a Reader reads a byte slice.
package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
)

// ErrShort says the data ended before a field did, or a length claims more than is left.
var ErrShort = errors.New("unexpected end of data")

// Writer appends fields to a buffer.
type Writer struct{ buf bytes.Buffer }

// Bytes returns what was written.
func (w *Writer) Bytes() []byte { return w.buf.Bytes() }

// Raw appends b as it is.
func (w *Writer) Raw(b []byte) { w.buf.Write(b) }

func (w *Writer) U16(x uint16)  { w.buf.Write(binary.LittleEndian.AppendUint16(nil, x)) }
func (w *Writer) U32(x uint32)  { w.buf.Write(binary.LittleEndian.AppendUint32(nil, x)) }
func (w *Writer) U64(x uint64)  { w.buf.Write(binary.LittleEndian.AppendUint64(nil, x)) }
func (w *Writer) F32(x float32) { w.U32(math.Float32bits(x)) }
func (w *Writer) F64(x float64) { w.U64(math.Float64bits(x)) }

// Str writes s with its length first.
func (w *Writer) Str(s string) {
	w.U32(uint32(len(s)))
	w.buf.WriteString(s)
}

// Bool writes one byte, 1 or 0.
func (w *Writer) Bool(b bool) {
	if b {
		w.buf.WriteByte(1)
	} else {
		w.buf.WriteByte(0)
	}
}

// Reader reads fields from a byte slice. The first short read sets Err; later reads return
// zeros, so a decoder checks Err once at the end.
type Reader struct {
	b   []byte
	Err error
}

// NewReader reads b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Len is how many bytes are left.
func (r *Reader) Len() int { return len(r.b) }

// Rest returns the bytes left and consumes them.
func (r *Reader) Rest() []byte {
	out := r.b
	r.b = nil
	return out
}

// Take returns the next n bytes (zeros after a short read; not a copy).
func (r *Reader) Take(n int) []byte {
	if r.Err != nil || n < 0 || n > len(r.b) {
		r.Err = ErrShort
		return make([]byte, max(n, 0))
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *Reader) U32() uint32  { return binary.LittleEndian.Uint32(r.Take(4)) }
func (r *Reader) U64() uint64  { return binary.LittleEndian.Uint64(r.Take(8)) }
func (r *Reader) F32() float32 { return math.Float32frombits(r.U32()) }
func (r *Reader) F64() float64 { return math.Float64frombits(r.U64()) }
func (r *Reader) Bool() bool   { return r.Take(1)[0] != 0 }
func (r *Reader) Str() string  { return string(r.Take(r.Count(1))) }

// F32s, I32s and U16s read n values at once: a model has a million of them.
func (r *Reader) F32s(n int) []float32 {
	b := r.Take(4 * n)
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (r *Reader) I32s(n int) []int32 {
	b := r.Take(4 * n)
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (r *Reader) U16s(n int) []uint16 {
	b := r.Take(2 * n)
	out := make([]uint16, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return out
}

// Bytes reads n bytes into a copy of their own.
func (r *Reader) Bytes(n int) []byte {
	return bytes.Clone(r.Take(n))
}

// Count reads a length and checks that at least n·unit bytes remain, so a corrupt length
// cannot make the reader allocate more than the input.
func (r *Reader) Count(unit int) int {
	n := int(r.U32())
	if r.Err == nil && n*unit > len(r.b) {
		r.Err = ErrShort
		return 0
	}
	return n
}
