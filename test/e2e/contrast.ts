/**
 * WCAG 2 contrast ratio between two CSS colours as getComputedStyle reports them ("rgb(71, 85, 105)",
 * "rgba(0, 0, 0, 0.5)", "rgb(71 85 105 / 50%)"). A translucent foreground is blended over the background first;
 * the background is taken as opaque (blend it yourself over what lies behind it when it is not).
 */

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0..1 */
  a: number;
}

/** Parses rgb()/rgba() in the comma or space syntax; throws on anything else (named colours, hex, color()). */
export function parseColor(css: string): Rgba {
  const m = /^rgba?\(\s*([^)]*)\)$/i.exec(css.trim());
  if (!m) throw new Error(`not an rgb()/rgba() colour: "${css}"`);
  const parts = m[1]!
    .split(/[\s,/]+/)
    .filter(Boolean)
    .map((p) => p.trim());
  if (parts.length !== 3 && parts.length !== 4) throw new Error(`not an rgb()/rgba() colour: "${css}"`);
  const channel = (p: string) => (p.endsWith('%') ? (Number.parseFloat(p) / 100) * 255 : Number.parseFloat(p));
  const alpha = (p: string | undefined) =>
    p === undefined ? 1 : p.endsWith('%') ? Number.parseFloat(p) / 100 : Number.parseFloat(p);
  const [r, g, b] = parts.slice(0, 3).map(channel) as [number, number, number];
  const a = alpha(parts[3]);
  if ([r, g, b, a].some((v) => !Number.isFinite(v))) throw new Error(`not an rgb()/rgba() colour: "${css}"`);
  return { r, g, b, a };
}

/** `fg` drawn over the opaque `bg`. */
export function blend(fg: Rgba, bg: Rgba): Rgba {
  const mix = (f: number, b: number) => f * fg.a + b * (1 - fg.a);
  return { r: mix(fg.r, bg.r), g: mix(fg.g, bg.g), b: mix(fg.b, bg.b), a: 1 };
}

/** WCAG relative luminance of an opaque colour. */
export function luminance({ r, g, b }: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** The contrast ratio (1..21) of text in `fg` on `bg`, both CSS rgb()/rgba() strings. */
export function contrastRatio(fg: string, bg: string): number {
  const back = { ...parseColor(bg), a: 1 };
  const front = blend(parseColor(fg), back);
  const [hi, lo] = [luminance(front), luminance(back)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
