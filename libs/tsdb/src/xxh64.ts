import { xxh64 } from '@node-rs/xxhash';

// xxHash64 with seed 0 as a small WebAssembly function, for the write path's one short label block
// per series. For ~100 bytes the native call costs more than the hash: a Buffer view per call, a
// BigInt result, and BigInt arithmetic to route by it. WebAssembly has 64-bit multiplies (plain
// JavaScript over 32-bit halves measured slower than the native call) and hands the hash back as
// two 32-bit words in its memory, which store and route as small integers. The block is copied
// into that memory through a plain Uint8Array view (a Buffer's own subarray goes through its
// species constructor, and a byte loop measured twice as slow as the copy).

const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const MASK = 0xffffffffffffffffn;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 64-bit constant. */
function sleb64(v: bigint): number[] {
  let n = BigInt.asIntN(64, v);
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

// Opcodes used below (WebAssembly core spec, binary format).
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const VOID = 0x40;
const GET = 0x20;
const SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_GT_U = 0x4b;
const I32_LE_U = 0x4d;
const I32_GE_U = 0x4f;
const I64_LOAD = 0x29;
const I64_LOAD8_U = 0x31;
const I64_LOAD32_U = 0x35;
const I64_STORE = 0x37;
const I64_ADD = 0x7c;
const I64_MUL = 0x7e;
const I64_XOR = 0x85;
const I64_SHR_U = 0x88;
const I64_ROTL = 0x89;
const I64_EXTEND_I32_U = 0xad;

// Locals: the parameter (the input's length, the input at address 0), then the others.
const LEN = 0;
const P = 1;
const V = [2, 3, 4, 5];
const H = 6;
const LIMIT = 7;

const i64 = (v: bigint): number[] => [0x42, ...sleb64(v)];
const i32 = (v: number): number[] => [I32_CONST, ...uleb(v)];
const get = (l: number): number[] => [GET, l];
const set = (l: number): number[] => [SET, l];
/** A memory access at `p + offset`, alignment hint 0 (the input has none). */
const at = (op: number, offset: number): number[] => [...get(P), op, 0, ...uleb(offset)];
/** rotl(x * P2, 31) * P1 with x on the stack: xxh64's round after the accumulator is added. */
const roundTail = [...i64(P2), I64_MUL, ...i64(31n), I64_ROTL, ...i64(P1), I64_MUL];
/** p += n */
const advance = (n: number): number[] => [...get(P), ...i32(n), I32_ADD, ...set(P)];

/** v = rotl(v + load * P2, 31) * P1 with v and the load on the stack. */
function round(v: number): number[] {
  return [...i64(P2), I64_MUL, I64_ADD, ...i64(31n), I64_ROTL, ...i64(P1), I64_MUL, ...set(v)];
}

const body = [
  // if len >= 32: four lanes over 32-byte stripes, merged
  ...get(LEN),
  ...i32(32),
  I32_GE_U,
  IF,
  VOID,
  ...i64((P1 + P2) & MASK),
  ...set(V[0]),
  ...i64(P2),
  ...set(V[1]),
  ...i64(0n),
  ...set(V[2]),
  ...i64(-P1 & MASK),
  ...set(V[3]),
  ...get(LEN),
  ...i32(32),
  I32_SUB,
  ...set(LIMIT),
  LOOP,
  VOID,
  ...V.flatMap((v, k) => [...get(v), ...at(I64_LOAD, 8 * k), ...round(v)]),
  ...advance(32),
  ...get(P),
  ...get(LIMIT),
  I32_LE_U,
  BR_IF,
  0,
  END,
  ...get(V[0]),
  ...i64(1n),
  I64_ROTL,
  ...get(V[1]),
  ...i64(7n),
  I64_ROTL,
  I64_ADD,
  ...get(V[2]),
  ...i64(12n),
  I64_ROTL,
  I64_ADD,
  ...get(V[3]),
  ...i64(18n),
  I64_ROTL,
  I64_ADD,
  ...set(H),
  ...V.flatMap((v) => [
    ...get(H),
    ...get(v),
    ...roundTail,
    I64_XOR,
    ...i64(P1),
    I64_MUL,
    ...i64(P4),
    I64_ADD,
    ...set(H),
  ]),
  ELSE,
  ...i64(P5),
  ...set(H),
  END,
  // h += len
  ...get(H),
  ...get(LEN),
  I64_EXTEND_I32_U,
  I64_ADD,
  ...set(H),
  // while p + 8 <= len: h = rotl(h ^ round(0, load64(p)), 27) * P1 + P4
  BLOCK,
  VOID,
  LOOP,
  VOID,
  ...get(P),
  ...i32(8),
  I32_ADD,
  ...get(LEN),
  I32_GT_U,
  BR_IF,
  1,
  ...get(H),
  ...at(I64_LOAD, 0),
  ...roundTail,
  I64_XOR,
  ...i64(27n),
  I64_ROTL,
  ...i64(P1),
  I64_MUL,
  ...i64(P4),
  I64_ADD,
  ...set(H),
  ...advance(8),
  BR,
  0,
  END,
  END,
  // if p + 4 <= len: h = rotl(h ^ load32(p) * P1, 23) * P2 + P3
  ...get(P),
  ...i32(4),
  I32_ADD,
  ...get(LEN),
  I32_LE_U,
  IF,
  VOID,
  ...get(H),
  ...at(I64_LOAD32_U, 0),
  ...i64(P1),
  I64_MUL,
  I64_XOR,
  ...i64(23n),
  I64_ROTL,
  ...i64(P2),
  I64_MUL,
  ...i64(P3),
  I64_ADD,
  ...set(H),
  ...advance(4),
  END,
  // each remaining byte: h = rotl(h ^ byte * P5, 11) * P1
  BLOCK,
  VOID,
  LOOP,
  VOID,
  ...get(P),
  ...get(LEN),
  I32_GE_U,
  BR_IF,
  1,
  ...get(H),
  ...at(I64_LOAD8_U, 0),
  ...i64(P5),
  I64_MUL,
  I64_XOR,
  ...i64(11n),
  I64_ROTL,
  ...i64(P1),
  I64_MUL,
  ...set(H),
  ...advance(1),
  BR,
  0,
  END,
  END,
  // avalanche, then the hash at address 0
  ...i32(0),
  ...get(H),
  ...get(H),
  ...i64(33n),
  I64_SHR_U,
  I64_XOR,
  ...i64(P2),
  I64_MUL,
  ...set(H),
  ...get(H),
  ...get(H),
  ...i64(29n),
  I64_SHR_U,
  I64_XOR,
  ...i64(P3),
  I64_MUL,
  ...set(H),
  ...get(H),
  ...get(H),
  ...i64(32n),
  I64_SHR_U,
  I64_XOR,
  I64_STORE,
  0,
  0,
  END,
];

const section = (id: number, content: number[]): number[] => [
  id,
  ...uleb(content.length),
  ...content,
];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const text = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'latin1')];
// One i32 (p), five i64 (four lanes and h), one i32 (the last stripe's start).
const code = [...uleb(3), 1, 0x7f, 5, 0x7e, 1, 0x7f, ...body];
const wasm = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
  ...section(1, vec([[0x60, 1, 0x7f, 0]])), // type: (i32) -> ()
  ...section(3, vec([[0]])), // one function of that type
  ...section(5, vec([[0, 1]])), // one page of memory, never grown, so views of it stay valid
  ...section(
    7,
    vec([
      [...text('hash'), 0, 0],
      [...text('memory'), 2, 0],
    ]),
  ),
  ...section(10, vec([[...uleb(code.length), ...code]])),
]);

// The workspace compiles without the DOM library, which is where TypeScript declares WebAssembly;
// these are the two constructors used, as Node provides them.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};
const exports = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports;
const hash = exports.hash as (len: number) => void;
const memory = (exports.memory as { buffer: ArrayBuffer }).buffer;
const input = new Uint8Array(memory);
const output = new DataView(memory, 0, 8);

/**
 * xxHash64 (seed 0) of `buf[start, end)`: its low 32 bits are returned and both halves are
 * written to `out` as signed 32-bit integers (`out[0]` low, `out[1]` high), the value `xxh64` of
 * `@node-rs/xxhash` gives as a BigInt.
 */
export function xxh64Into(buf: Uint8Array, start: number, end: number, out: Int32Array): number {
  const len = end - start;
  if (len > input.length) {
    const h = xxh64(buf.subarray(start, end));
    out[0] = Number(BigInt.asIntN(32, h));
    out[1] = Number(BigInt.asIntN(32, h >> 32n));
    return out[0];
  }
  input.set(new Uint8Array(buf.buffer, buf.byteOffset + start, len));
  hash(len);
  const lo = output.getInt32(0, true);
  out[0] = lo;
  out[1] = output.getInt32(4, true);
  return lo;
}
