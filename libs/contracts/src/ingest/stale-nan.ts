/**
 * Prometheus' stale marker (`value.StaleNaN`, bits 0x7ff0000000000002): the sample value that
 * says a series ended, carried by remote write, the ingest stream, chunks and Store API answers.
 */

/** High 32 bits of the stale marker. */
export const STALE_NAN_HI = 0x7ff00000;
/** Low 32 bits of the stale marker. */
export const STALE_NAN_LO = 0x00000002;
// The quiet bit (the top bit of the mantissa) that V8 sets on a signalling NaN.
const QUIET_HI = 0x00080000;

const view = new DataView(new ArrayBuffer(8));
view.setUint32(0, STALE_NAN_HI);
view.setUint32(4, STALE_NAN_LO);

/** The stale marker as a float; V8 may quiet this signalling NaN when it copies it, see {@link isStaleNaN}. */
export const STALE_NAN: number = view.getFloat64(0);

/**
 * Whether a value is the stale marker, compared bit for bit as `value.IsStaleNaN` does; any other
 * NaN (`NaN`, `0/0`) is an ordinary sample. V8 sets the quiet bit on a signalling NaN it stores in
 * a plain array, turning 0x7ff0000000000002 into 0x7ff8000000000002, so that pattern counts too.
 */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  view.setFloat64(0, v);
  return (
    view.getUint32(4) === STALE_NAN_LO &&
    (view.getUint32(0) | QUIET_HI) === (STALE_NAN_HI | QUIET_HI)
  );
}
