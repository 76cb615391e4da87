/**
 * Which keyboard overlay is up: the shortcut list (`?`) or the connect picker (`C`, from one item). A store of
 * its own, apart from the app store: nothing here is part of the flow, its history or what is saved.
 */
import { create } from 'zustand';

export type Overlay = { kind: 'help' } | { kind: 'connect'; sourceId: string } | null;

interface OverlayState {
  overlay: Overlay;
  open(overlay: Overlay): void;
  close(): void;
}

export const useOverlay = create<OverlayState>()((set) => ({
  overlay: null,
  open: (overlay) => set({ overlay }),
  close: () => set({ overlay: null }),
}));
