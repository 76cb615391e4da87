/**
 * Hooks for the e2e tests and the canvas benchmark, off unless a page defines `window.__SLUICE_TEST_HOOKS__`
 * before the app loads (they do, with playwright's addInitScript). Then the canvas puts its viewport controls
 * there and counts renders of each card and queue label, so a test can check what a status tick re-rendered.
 * Without that object nothing is recorded: one property read per render.
 */
import type { Viewport } from '@xyflow/react';

export interface CanvasTestHooks {
  /** The React Flow viewport of the open canvas (absent while no flow is open). */
  viewport?: { get(): Viewport; set(viewport: Viewport): void };
  /** Renders by key: `proc:<id>` per processor card, `queue:<id>` per queue label. */
  renders?: Record<string, number>;
}

const hooks = (globalThis as { __SLUICE_TEST_HOOKS__?: CanvasTestHooks }).__SLUICE_TEST_HOOKS__;

export function testHooks(): CanvasTestHooks | undefined {
  return hooks;
}

/** Counts one render of `key` when the hooks are on. */
export function countRender(key: string): void {
  if (!hooks) return;
  hooks.renders ??= {};
  hooks.renders[key] = (hooks.renders[key] ?? 0) + 1;
}
