// Kept apart from the lexer so its hot path stays small; computed only for non-ASCII queries.

/** Maps every UTF-16 index of `input` to its UTF-8 byte offset (length + 1 entries). */
export function computeByteOffsets(input: string): Uint32Array {
  const out = new Uint32Array(input.length + 1);
  let b = 0;
  for (let i = 0; i < input.length; i++) {
    out[i] = b;
    const c = input.charCodeAt(i);
    if (c < 0x80) b += 1;
    else if (c < 0x800) b += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < input.length) {
      const lo = input.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        out[i + 1] = b;
        b += 4;
        i++;
        continue;
      }
      b += 3;
    } else b += 3;
  }
  out[input.length] = b;
  return out;
}
