/** The ui slice: which flows exist, which drawer or dialog is open, the token prompt and notifications. */
import type { FlowSummary, ValidationIssue } from '../api/types';
import type { SliceCreator } from './types';

export type Drawer = { kind: 'queue'; connectionId: string } | { kind: 'provenance' } | null;

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
  needsToken: boolean;
  notices: Notice[];
  setFlows(flows: FlowSummary[]): void;
  openDrawer(drawer: Drawer): void;
  showLineage(flowFileId: string | null): void;
  showProblems(report: ProblemReport | null): void;
  setNeedsToken(needs: boolean): void;
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
  notices: [],

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
  notify(text, tone = 'info') {
    const id = nextNotice++;
    set({ notices: [...get().notices.slice(-4), { id, tone, text }] });
    if (tone === 'info') setTimeout(() => get().dismiss(id), 4000);
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
});
