const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** The index of the quote that closes the string opened at `open`. */
function stringEnd(json: string, open: number): number {
  let end = json.indexOf('"', open + 1);
  for (;;) {
    let slashes = 0;
    while (json.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    // An even run of backslashes escapes itself, not the quote.
    if (slashes % 2 === 0) return end;
    end = json.indexOf('"', end + 1);
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * The JSON text of each element of the array under `key` of the top-level object `json`, exactly
 * as written there (whitespace inside an element kept, around it trimmed), in order; undefined
 * when the member is absent or not an array. `json` must be valid JSON (already parsed): strings
 * are skipped by their closing quote and only brackets outside them are counted, which costs far
 * less than serialising the parsed elements again. Of duplicate keys the last counts, as in
 * `JSON.parse`.
 */
export function arrayElementTexts(json: string, key: string): string[] | undefined {
  let found: string[] | undefined;
  let depth = 0;
  let lastKey: string | undefined;
  let elements: string[] | undefined;
  let start = -1;
  const close = (end: number) => {
    let last = end - 1;
    while (isSpace(json.charCodeAt(last))) last--;
    if (last >= start) elements?.push(json.slice(start, last + 1));
  };
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (isSpace(c)) continue;
    if (depth === 2 && elements !== undefined && start < 0) {
      if (c === CLOSE_ARRAY) {
        // `[]`, or a closing bracket right after the last element's comma (not valid JSON).
        found = elements;
        elements = undefined;
        depth--;
        continue;
      }
      start = i;
    }
    if (c === QUOTE) {
      const end = stringEnd(json, i);
      if (depth === 1) {
        const raw = json.slice(i + 1, end);
        lastKey = raw.includes('\\') ? (JSON.parse(json.slice(i, end + 1)) as string) : raw;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 1 && c === OPEN_ARRAY && lastKey === key) {
        elements = [];
        start = -1;
      }
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 1 && elements !== undefined) {
        close(i);
        found = elements;
        elements = undefined;
      }
    } else if (c === COMMA) {
      if (depth === 2 && elements !== undefined) {
        close(i);
        start = -1;
      } else if (depth === 1) lastKey = undefined;
    }
  }
  return found;
}
