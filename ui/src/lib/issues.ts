/**
 * Sorts a flow's validation issues (JSON paths into the flow document) onto the component they concern, with
 * the path made relative to that component: `/processors/2/config/batchSize` → processor "route", `/config/batchSize`.
 */
import type { Flow, ValidationIssue } from '../api/types';

export interface ComponentIssue {
  /** Relative to the component ("" = the component itself). */
  path: string;
  message: string;
  /** As the server sent it. */
  fullPath: string;
}

export interface IssueIndex {
  /** Issues about the flow itself, or a component that no longer exists. */
  flow: ComponentIssue[];
  processors: Record<string, ComponentIssue[]>;
  connections: Record<string, ComponentIssue[]>;
  count: number;
}

export const NO_ISSUES: IssueIndex = { flow: [], processors: {}, connections: {}, count: 0 };

export function indexIssues(flow: Flow, issues: readonly ValidationIssue[]): IssueIndex {
  const index: IssueIndex = { flow: [], processors: {}, connections: {}, count: issues.length };
  for (const issue of issues) {
    const match = /^\/(processors|connections)\/(\d+)(\/.*)?$/.exec(issue.path);
    const list = match?.[1] === 'processors' ? flow.processors : match ? flow.connections : undefined;
    const component = match && list ? list[Number(match[2])] : undefined;
    if (!match || !component) {
      index.flow.push({ path: issue.path, message: issue.message, fullPath: issue.path });
      continue;
    }
    const bucket = match[1] === 'processors' ? index.processors : index.connections;
    bucket[component.id] ??= [];
    bucket[component.id]!.push({ path: match[3] ?? '', message: issue.message, fullPath: issue.path });
  }
  return index;
}

/** The issues under `prefix` (e.g. "/config"), with the prefix removed from their paths. */
export function issuesUnder(issues: readonly ComponentIssue[] | undefined, prefix: string): ComponentIssue[] {
  if (!issues) return [];
  return issues
    .filter((i) => i.path === prefix || i.path.startsWith(`${prefix}/`))
    .map((i) => ({ ...i, path: i.path.slice(prefix.length) }));
}

/** A JSON pointer segment: "a/b" → "a~1b". */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function formatIssue(issue: { path: string; message: string }): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** A connection a save would drop while it still holds FlowFiles. */
export interface QueuedRemoval {
  connectionId: string;
  count: number;
}

/**
 * The connections named by the server's 409 for a save that would drop queued FlowFiles (its details say
 * `connection "<id>" is removed but still holds <n> FlowFile(s)...`); empty for any other refusal.
 */
export function queuedRemovals(details: readonly ValidationIssue[]): QueuedRemoval[] {
  const out: QueuedRemoval[] = [];
  for (const d of details) {
    const m = /^connection "([^"]+)" is removed but still holds (\d+) FlowFile/.exec(d.message);
    if (m && !out.some((r) => r.connectionId === m[1])) out.push({ connectionId: m[1]!, count: Number(m[2]) });
  }
  return out;
}
