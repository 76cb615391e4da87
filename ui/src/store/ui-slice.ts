/** The ui slice: which flows exist, which drawer or dialog is open, who is logged in, the login page, notices. */
import type { FlowSummary, Me, ValidationIssue } from '../api/types';
import type { SliceCreator } from './types';

export type Drawer = { kind: 'queue'; connectionId: string } | { kind: 'provenance' } | null;

/**
 * A page of the side panel opened from the flow's or a group's panel (or the palette): the parameter contexts,
 * the services a level sees, or one service. `for` is the selection it was opened for (see side-panel.tsx): a
 * different selection shows that selection's panel instead.
 */
export type SideView =
  | { kind: 'parameters'; for: string }
  | { kind: 'services'; for: string; path: string[] }
  | { kind: 'service'; for: string; path: string[]; id: string };

/** An import saved as invalid only for want of sensitive values: the form that asks for them. */
export interface SensitivePrompt {
  flowId: string;
  fileName: string;
  missing: { context: string; name: string }[];
}

export interface Notice {
  id: number;
  tone: 'info' | 'error';
  text: string;
}

export interface ProblemReport {
  title: string;
  message: string;
  issues: ValidationIssue[];
}

export interface UiSlice {
  flows: FlowSummary[];
  drawer: Drawer;
  /** The FlowFile whose lineage is shown. */
  lineageOf: string | null;
  /** A list of problems to show in a dialog (a failed import, a refused start). */
  problems: ProblemReport | null;
  /** The server answered 401: the login page (or token prompt) is up. */
  needsToken: boolean;
  /** Who the server takes us for (`GET /api/me`); null until known. */
  me: Me | null;
  notices: Notice[];
  sideView: SideView | null;
  sensitivePrompt: SensitivePrompt | null;
  setSideView(view: SideView | null): void;
  setSensitivePrompt(prompt: SensitivePrompt | null): void;
  setFlows(flows: FlowSummary[]): void;
  openDrawer(drawer: Drawer): void;
  showLineage(flowFileId: string | null): void;
  showProblems(report: ProblemReport | null): void;
  setNeedsToken(needs: boolean): void;
  setMe(me: Me | null): void;
  notify(text: string, tone?: Notice['tone']): void;
  dismiss(id: number): void;
}

let nextNotice = 1;

export const createUiSlice: SliceCreator<UiSlice> = (set, get) => ({
  flows: [],
  drawer: null,
  lineageOf: null,
  problems: null,
  needsToken: false,
  me: null,
  notices: [],
  sideView: null,
  sensitivePrompt: null,

  setSideView(sideView) {
    set({ sideView });
  },
  setSensitivePrompt(sensitivePrompt) {
    set({ sensitivePrompt });
  },
  setFlows(flows) {
    set({ flows });
  },
  openDrawer(drawer) {
    set({ drawer });
  },
  showLineage(lineageOf) {
    set({ lineageOf });
  },
  showProblems(problems) {
    set({ problems });
  },
  setNeedsToken(needsToken) {
    set({ needsToken });
  },
  setMe(me) {
    set({ me });
  },
  notify(text, tone = 'info') {
    const id = nextNotice++;
    set({ notices: [...get().notices.slice(-4), { id, tone, text }] });
    if (tone === 'info') setTimeout(() => get().dismiss(id), 4000);
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
});
