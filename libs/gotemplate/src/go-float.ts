/** Decimal digits of a finite non-negative float: value = 0.d1d2d3... × 10^dp. */
interface Digits {
  d: string;
  dp: number;
}

/** The shortest digits that read back as `v` (what Go's FormatFloat with precision -1 uses). */
function shortest(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const [mant, exp] = v.toExponential().split('e');
  return { d: mant.replace('.', ''), dp: Number(exp) + 1 };
}

/** Every decimal digit of `v`'s exact binary value. */
function exact(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e2: number;
  if (expBits === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e2)).toString();
    dp = digits.length + e2;
  }
  return { d: digits.replace(/0+$/, ''), dp };
}

/** Rounds to `nd` digits (nd may be ≤ 0) half to even, as Go's decimal rounding does. */
function round(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: '', dp: x.dp };
  if (nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up = next > 5;
  if (next === 5) {
    const halfway = nd + 1 === x.d.length;
    up = !halfway || (nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1);
  }
  if (!up) return { d: x.d.slice(0, nd).replace(/0+$/, ''), dp: x.dp };
  const chars = x.d.slice(0, nd).split('');
  let i = chars.length - 1;
  while (i >= 0 && chars[i] === '9') i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
  return { d: chars.slice(0, i + 1).join(''), dp: x.dp };
}

function fmtE(neg: boolean, x: Digits, prec: number, upper: boolean): string {
  let s = neg ? '-' : '';
  s += x.d.length > 0 ? x.d[0] : '0';
  if (prec > 0) {
    s += '.';
    const rest = x.d.slice(1, 1 + prec);
    s += rest + '0'.repeat(prec - rest.length);
  }
  s += upper ? 'E' : 'e';
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  s += exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  s += exp < 10 ? `0${exp}` : String(exp);
  return s;
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let s = neg ? '-' : '';
  if (x.dp > 0) {
    const int = x.d.slice(0, x.dp);
    s += int + '0'.repeat(x.dp - int.length);
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      s += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return s;
}

/**
 * Go's strconv.FormatFloat(v, fmt, prec, 64) for `e`, `E`, `f`, `g` and `G`: correctly rounded
 * (half to even on exact ties), `prec` -1 for the shortest representation.
 */
export function formatGoFloat(v: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  const isShortest = prec < 0;
  let digs: Digits;
  if (isShortest) {
    digs = shortest(abs);
    switch (fmt) {
      case 'e':
      case 'E':
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case 'f':
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      case 'g':
      case 'G':
        prec = digs.d.length;
        break;
    }
  } else if (fmt === 'f') {
    const x = exact(abs);
    digs = round(x, x.dp + prec);
  } else {
    let digits = prec;
    if (fmt === 'e' || fmt === 'E') digits++;
    else {
      if (prec === 0) prec = 1;
      digits = prec;
    }
    digs = round(exact(abs), digits);
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, digs, prec, fmt === 'E');
    case 'f':
      return fmtF(neg, digs, prec);
    case 'g':
    case 'G': {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      // Shortest %g (and so %v) takes the exponent form from 1e+06 on, as Go does.
      if (isShortest) eprec = 6;
      const exp = digs.dp - 1;
      if (digs.d.length > 0 && (exp < -4 || exp >= eprec)) {
        if (prec > digs.d.length) prec = digs.d.length;
        return fmtE(neg, digs, prec - 1, fmt === 'G');
      }
      if (prec > digs.dp) prec = digs.d.length;
      return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
    }
  }
}
