import { type Labels } from '../labels';
import { compareUtf8 } from './encoding';

/** Orders label sets as Prometheus' `labels.Compare`, comparing names and values by UTF-8 bytes. */
export function compareLabelsUtf8(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(a[i].name, b[i].name) || compareUtf8(a[i].value, b[i].value);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
