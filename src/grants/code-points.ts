// Sets of Unicode code points, as the Java-pattern translator needs them: a character class is resolved to the
// exact set it matches (nesting, intersection, negation, ASCII case folding) and only that set is written out.
// A set is its sorted, disjoint, non-adjacent inclusive ranges, flattened: [lo0, hi0, lo1, hi1, ...].

export type CodeSet = readonly number[];

export const MAX_CODE_POINT = 0x10ffff;
export const EMPTY: CodeSet = [];
export const ALL: CodeSet = [0, MAX_CODE_POINT];
export const SURROGATES: CodeSet = [0xd800, 0xdfff];

/** The set of the given [lo, hi] ranges and single code points, in any order, overlapping or not. */
export function codeSet(...items: (number | readonly [number, number])[]): CodeSet {
  const pairs = items.map((item): [number, number] => (typeof item === "number" ? [item, item] : [item[0], item[1]]));
  pairs.sort((a, b) => a[0] - b[0]);
  const result: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = result.length - 1;
    if (last > 0 && lo <= (result[last] as number) + 1) result[last] = Math.max(result[last] as number, hi);
    else result.push(lo, hi);
  }
  return result;
}

/** A merge of the two sorted range lists: linear in their sizes. */
export function union(a: CodeSet, b: CodeSet): CodeSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const result: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let lo: number;
    let hi: number;
    if (j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number))) {
      lo = a[i] as number;
      hi = a[i + 1] as number;
      i += 2;
    } else {
      lo = b[j] as number;
      hi = b[j + 1] as number;
      j += 2;
    }
    const last = result.length - 1;
    if (last > 0 && lo <= (result[last] as number) + 1) result[last] = Math.max(result[last] as number, hi);
    else result.push(lo, hi);
  }
  return result;
}

export function intersect(a: CodeSet, b: CodeSet): CodeSet {
  const result: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i] as number, b[j] as number);
    const hi = Math.min(a[i + 1] as number, b[j + 1] as number);
    if (lo <= hi) result.push(lo, hi);
    if ((a[i + 1] as number) < (b[j + 1] as number)) i += 2;
    else j += 2;
  }
  return result;
}

export function complement(a: CodeSet): CodeSet {
  const result: number[] = [];
  let next = 0;
  for (let i = 0; i < a.length; i += 2) {
    if ((a[i] as number) > next) result.push(next, (a[i] as number) - 1);
    next = (a[i + 1] as number) + 1;
  }
  if (next <= MAX_CODE_POINT) result.push(next, MAX_CODE_POINT);
  return result;
}

export function without(a: CodeSet, b: CodeSet): CodeSet {
  return intersect(a, complement(b));
}

export function contains(a: CodeSet, c: number): boolean {
  for (let i = 0; i < a.length; i += 2) {
    if (c < (a[i] as number)) return false;
    if (c <= (a[i + 1] as number)) return true;
  }
  return false;
}

export function rangeCount(a: CodeSet): number {
  return a.length / 2;
}

/** Java's case-insensitive matching without UNICODE_CASE: each ASCII letter stands for both of its cases. */
export function foldAsciiCase(a: CodeSet): CodeSet {
  const letters: number[] = [];
  for (let upper = 0x41; upper <= 0x5a; upper++) {
    if (contains(a, upper) || contains(a, upper + 0x20)) letters.push(upper, upper + 0x20);
  }
  return letters.length === 0 ? a : union(a, codeSet(...letters));
}
