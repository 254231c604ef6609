/** High 32 bits of Prometheus' stale marker NaN (`value.StaleNaN` = 0x7ff0000000000002). */
export const STALE_NAN_HI = 0x7ff00000;
/** Low 32 bits of Prometheus' stale marker NaN. */
export const STALE_NAN_LO = 0x00000002;

const dv = new DataView(new ArrayBuffer(8));
dv.setUint32(0, STALE_NAN_HI);
dv.setUint32(4, STALE_NAN_LO);

/** Prometheus' stale marker; V8 may quiet this signaling NaN when it is copied, see {@link isStaleNaN}. */
export const STALE_NAN: number = dv.getFloat64(0);

/**
 * Whether a value is the stale marker. V8 sets the quiet bit on signaling NaNs in some paths
 * (double arrays, SSE moves), turning 0x7ff0000000000002 into 0x7ff8000000000002, so both count.
 */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  dv.setFloat64(0, v);
  return (dv.getUint32(0) & 0xfff7ffff) === STALE_NAN_HI && dv.getUint32(4) === STALE_NAN_LO;
}
