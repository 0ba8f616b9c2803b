/**
 * A PHP request value: a string, or an ordered array (PHP arrays are ordered
 * maps; `a[1]=x&a[0]=y` keeps that order, which a JS object would not).
 */
export type PhpValue = string | PhpArray;
export type PhpArray = Map<string, PhpValue>;

/**
 * Builds nested arrays from form fields the way PHP fills `$_GET`/`$_POST`:
 * `options[0][name]=limitfrom` → options → "0" → name; `a[]=x` appends with
 * the next integer key; a later field with the same name wins.
 */
export function parsePhpForm(pairs: Iterable<[string, string]>, into: PhpArray = new Map()): PhpArray {
  for (const [name, value] of pairs) {
    const path = splitName(name);
    if (!path) continue;
    let target = into;
    for (let i = 0; i < path.length; i++) {
      let key = path[i]!;
      if (key === '') key = String(nextIndex(target));
      if (i === path.length - 1) {
        target.set(key, value);
        break;
      }
      let child = target.get(key);
      if (!(child instanceof Map)) {
        child = new Map();
        target.set(key, child);
      }
      target = child;
    }
  }
  return into;
}

/** `a[b][]` → ['a', 'b', '']; a name with an unclosed bracket is a plain name, as in PHP. */
function splitName(name: string): string[] | undefined {
  const open = name.indexOf('[');
  if (open <= 0) return name === '' ? undefined : [name];
  const base = name.slice(0, open);
  const keys: string[] = [];
  let rest = name.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) break;
    keys.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  return keys.length === 0 ? [name] : [base, ...keys];
}

function nextIndex(array: PhpArray): number {
  let next = 0;
  for (const key of array.keys()) {
    if (/^(0|-?[1-9]\d*)$/.test(key)) next = Math.max(next, Number(key) + 1);
  }
  return next;
}

/** A PHP array as plain JSON-like data (for logging calls in the double's state). */
export function phpToPlain(value: PhpValue): unknown {
  if (typeof value === 'string') return value;
  return Object.fromEntries([...value].map(([k, v]) => [k, phpToPlain(v)]));
}
