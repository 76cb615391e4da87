import type { StateCreator } from 'zustand';
import type { CatalogSlice } from './catalog-slice';
import type { FlowSlice } from './flow-slice';
import type { StatusSlice } from './status-slice';
import type { UiSlice } from './ui-slice';

/** The whole app state: one store, four slices. */
export type AppState = FlowSlice & CatalogSlice & StatusSlice & UiSlice;

export type SliceCreator<T> = StateCreator<AppState, [], [], T>;
