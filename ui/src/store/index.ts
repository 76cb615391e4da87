/**
 * The app store: one zustand store in four slices (flow, catalog, status, ui). Components read it through
 * selectors (`useStore((s) => s.nodes)`); async work with the server lives in ./session.ts.
 */
import { create } from 'zustand';
import { createCatalogSlice } from './catalog-slice';
import { createFlowSlice } from './flow-slice';
import { createStatusSlice } from './status-slice';
import type { AppState } from './types';
import { createUiSlice } from './ui-slice';

export type { AppState } from './types';

export const createAppStore = () =>
  create<AppState>()((...a) => ({
    ...createFlowSlice(...a),
    ...createCatalogSlice(...a),
    ...createStatusSlice(...a),
    ...createUiSlice(...a),
  }));

export const useStore = createAppStore();
