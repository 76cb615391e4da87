/**
 * Whether this Sluice's SDK version satisfies the range a plugin declares (`"sluice": {"sdk": "^1.0.0"}`): a small
 * subset of semver ranges — `^X.Y.Z`, `~X.Y.Z`, `X.Y.Z`, `X`, `X.x`, `X.Y.x`, `>=X.Y.Z` (and `<X.Y.Z` after it).
 */
type Version = [number, number, number];

function parse(text: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(text.trim());
  if (!m) return undefined;
  const n = (s: string | undefined) => (s === undefined || s === 'x' || s === '*' ? 0 : Number(s));
  return [Number(m[1]), n(m[2]), n(m[3])];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The major version a range targets (the first number in it), for messages; undefined when there is none. */
export function rangeMajor(range: string): number | undefined {
  const m = /(\d+)/.exec(range);
  return m ? Number(m[1]) : undefined;
}

/** true / false, or an error message when the range is not understood. */
export function satisfies(version: string, range: string): boolean | string {
  const v = parse(version);
  if (!v) return `"${version}" is not a version`;
  const parts = range.trim().split(/\s+/);
  if (parts.length === 0 || parts[0] === '') return 'the SDK range is empty';
  for (const part of parts) {
    const op = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(part)!;
    const target = parse(op[2]);
    if (!target) return `the SDK range "${range}" is not understood (use e.g. "^1.0.0")`;
    const wildcard = /x|\*/.test(op[2]) || op[2].split('.').length < 3;
    let ok: boolean;
    switch (op[1]) {
      case '^':
        ok = v[0] === target[0] && compare(v, target) >= 0;
        break;
      case '~':
        ok = v[0] === target[0] && v[1] === target[1] && compare(v, target) >= 0;
        break;
      case '>=':
        ok = compare(v, target) >= 0;
        break;
      case '>':
        ok = compare(v, target) > 0;
        break;
      case '<=':
        ok = compare(v, target) <= 0;
        break;
      case '<':
        ok = compare(v, target) < 0;
        break;
      default: {
        // Exact, or a wildcard: "1", "1.x", "1.2.x" match every version with those leading numbers.
        const given = op[2].split('.').filter((s) => s !== 'x' && s !== '*').length;
        ok = wildcard ? v.slice(0, given).every((n, i) => n === target[i]) : compare(v, target) === 0;
      }
    }
    if (!ok) return false;
  }
  return true;
}
