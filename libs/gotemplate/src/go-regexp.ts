import { RE2JS, RE2JSException } from 're2js';
import { GoCallError } from './funcs';
import { canBackquote, goQuote } from './go-quote';

function compile(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

/** Go's regexp.MatchString: unanchored RE2 search; a bad pattern is the returned error. */
export function matchString(pattern: string, s: string): boolean {
  let re: RE2JS;
  try {
    re = compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSException) throw new GoCallError(e.message);
    throw e;
  }
  return re.matcher(s).find();
}

/** Go's regexp.MustCompile(pattern).ReplaceAllString(src, repl), including `$name`/`${name}` expansion. */
export function replaceAllString(pattern: string, repl: string, src: string): string {
  let re: RE2JS;
  try {
    re = compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSException) {
      // MustCompile panics with this text; the template engine reports the panic as the call's error.
      const quoted = canBackquote(pattern) ? `\`${pattern}\`` : goQuote(pattern);
      throw new GoCallError(`regexp: Compile(${quoted}): ${e.message}`);
    }
    throw e;
  }
  const groups = re.groupCount();
  const names = (re as unknown as { namedGroups(): Record<string, number> }).namedGroups();
  const m = re.matcher(src);
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length && m.find(searchPos)) {
    const start = m.start();
    const end = m.end();
    out += src.slice(lastMatchEnd, start);
    // An empty match right after the previous match is not replaced again, as in Go.
    if (end > lastMatchEnd || start === 0) out += expand(repl, m, groups, names);
    lastMatchEnd = end;
    const width =
      searchPos < src.length
        ? String.fromCodePoint(src.codePointAt(searchPos) as number).length
        : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}

function expand(
  template: string,
  m: { group(g: number): string | null },
  groups: number,
  names: Record<string, number>,
): string {
  let out = '';
  for (let i = 0; i < template.length;) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | null = null;
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(template.slice(i));
    const bare = /^[A-Za-z0-9_]+/.exec(template.slice(i));
    if (braced) {
      name = braced[1];
      i += braced[0].length;
    } else if (bare) {
      name = bare[0];
      i += bare[0].length;
    }
    if (name === null) {
      out += '$';
      continue;
    }
    let group = -1;
    if (/^[0-9]+$/.test(name)) group = Number(name);
    else if (names[name] !== undefined) group = names[name];
    if (group >= 0 && group <= groups) out += m.group(group) ?? '';
  }
  return out;
}
