/**
 * A WCAG 2 AA text-contrast audit of what a page shows: every visible element with text of its own (and every
 * form control's value or placeholder) is measured against its effective background (the first opaque
 * background among its ancestors, with the translucent ones in between blended over it) and fails under 4.5:1,
 * or 3:1 for large text (24px, or 18.66px bold). Colours are read in the page through a canvas pixel, so any CSS
 * colour syntax (color-mix(), color(srgb …)) is measured; the ratio is contrast.ts's. Disabled controls are left
 * out (WCAG exempts inactive components), and so is text over a background image (a gradient logo).
 */
import type { Page } from 'playwright-core';
import { contrastRatio } from './contrast';

export interface TextSample {
  /** Where it is: the nearest data-testid, then the element's tag and classes. */
  selector: string;
  text: string;
  /** The text colour with the opacity of its ancestors folded into its alpha, as rgba(). */
  fg: string;
  /** The opaque colour behind it, as rgb(). */
  bg: string;
  fontSize: number;
  fontWeight: number;
}

export interface Offender extends TextSample {
  ratio: number;
  needed: number;
}

/** Runs in the page (plain JavaScript there: the test's TypeScript has no DOM types, hence `any`). */
function collectSamples(scope: string): TextSample[] {
  const dom = globalThis as any;
  const doc = dom.document;
  const canvas = doc.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  type Rgba = [number, number, number, number];
  const cache = new Map<string, Rgba>();
  const rgba = (css: string): Rgba => {
    const known = cache.get(css);
    if (known) return known;
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data as number[];
    const value: Rgba = [r!, g!, b!, a! / 255];
    cache.set(css, value);
    return value;
  };
  const over = (top: Rgba, under: Rgba): Rgba => {
    const mix = (t: number, u: number) => t * top[3] + u * (1 - top[3]);
    return [mix(top[0], under[0]), mix(top[1], under[1]), mix(top[2], under[2]), 1];
  };
  /** The opaque colour behind `el`, or null when an image (a gradient) is part of it. */
  const background = (el: any): Rgba | null => {
    const layers: Rgba[] = [];
    for (let node = el; node; node = node.parentElement) {
      const style = dom.getComputedStyle(node);
      if (style.backgroundImage !== 'none') return null;
      const colour = rgba(style.backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    // Nothing opaque up to <html>: the page's own canvas, white.
    let result: Rgba = layers.length > 0 && layers[layers.length - 1]![3] >= 1 ? layers.pop()! : [255, 255, 255, 1];
    while (layers.length > 0) result = over(layers.pop()!, result);
    return result;
  };
  const opacity = (el: any): number => {
    let value = 1;
    for (let node = el; node; node = node.parentElement) value *= Number(dom.getComputedStyle(node).opacity);
    return value;
  };
  const describe = (el: any): string => {
    const own = `${el.tagName.toLowerCase()}${[...el.classList].map((c: string) => `.${c}`).join('')}`;
    const owner = el.closest('[data-testid]');
    if (!owner) return own;
    const id = `[data-testid="${owner.getAttribute('data-testid')}"]`;
    return owner === el ? `${own}${id}` : `${id} ${own}`;
  };
  const visible = (el: any) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const fields = new Set(['INPUT', 'SELECT', 'TEXTAREA']);
  const textOf = (el: any): { text: string; pseudo?: string } | null => {
    if (fields.has(el.tagName)) {
      if (['checkbox', 'radio', 'range', 'color', 'file', 'hidden'].includes(el.type)) return null;
      if (el.tagName === 'SELECT') return { text: el.selectedOptions?.[0]?.textContent?.trim() ?? '' };
      if (el.value) return { text: el.value };
      return el.placeholder ? { text: el.placeholder, pseudo: '::placeholder' } : null;
    }
    const own = [...el.childNodes]
      .filter((n: any) => n.nodeType === 3)
      .map((n: any) => n.textContent)
      .join('')
      .trim();
    return own ? { text: own } : null;
  };

  const samples: TextSample[] = [];
  for (const root of doc.querySelectorAll(scope)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (['SCRIPT', 'STYLE', 'OPTION', 'NOSCRIPT'].includes(el.tagName) || el.closest('svg')) continue;
      const found = textOf(el);
      if (!found?.text || !visible(el) || el.closest(':disabled, [aria-disabled="true"]')) continue;
      const style = dom.getComputedStyle(el, found.pseudo ?? null);
      const colour = rgba(style.color);
      const alpha = colour[3] * (found.pseudo ? Number(style.opacity) : 1) * opacity(el);
      if (alpha === 0) continue;
      const back = background(el);
      if (!back) continue;
      const round = (v: number) => Math.round(v);
      samples.push({
        selector: describe(el) + (found.pseudo ?? ''),
        text: found.text.replace(/\s+/g, ' ').slice(0, 50),
        fg: `rgba(${round(colour[0])}, ${round(colour[1])}, ${round(colour[2])}, ${alpha.toFixed(3)})`,
        bg: `rgb(${round(back[0])}, ${round(back[1])}, ${round(back[2])})`,
        fontSize: Number.parseFloat(dom.getComputedStyle(el).fontSize),
        fontWeight: Number(dom.getComputedStyle(el).fontWeight),
      });
    }
  }
  return samples;
}

/** The text the page shows under `scope` (a CSS selector; the whole page by default). */
export async function textSamples(page: Page, scope = 'body'): Promise<TextSample[]> {
  // Run under tsx (esbuild's keepNames), the function's inner helpers call `__name`, which the page lacks.
  await page.evaluate('globalThis.__name ??= (fn) => fn');
  return page.evaluate(collectSamples, scope);
}

/** WCAG AA: 3:1 for large text (24px, or 18.66px at weight 700 and up), 4.5:1 for the rest. */
export function neededRatio(sample: Pick<TextSample, 'fontSize' | 'fontWeight'>): number {
  const large = sample.fontSize >= 24 || (sample.fontSize >= 18.66 && sample.fontWeight >= 700);
  return large ? 3 : 4.5;
}

/** The text under `scope` that misses WCAG AA, one entry per element. */
export async function contrastOffenders(page: Page, scope = 'body'): Promise<Offender[]> {
  const offenders: Offender[] = [];
  for (const sample of await textSamples(page, scope)) {
    const ratio = contrastRatio(sample.fg, sample.bg);
    const needed = neededRatio(sample);
    if (ratio < needed) offenders.push({ ...sample, ratio: Math.round(ratio * 100) / 100, needed });
  }
  return offenders;
}

/** One line per offender: where, what it says, its ratio and what it needs. */
export function describeOffender(o: Offender): string {
  return `${o.selector} "${o.text}": ${o.ratio}:1 (needs ${o.needed}:1; ${o.fg} on ${o.bg})`;
}
