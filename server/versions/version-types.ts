/**
 * The wire shapes of flow versions and of the structural diff between two flows (the API answers them, the CLI
 * prints them, the UI draws them; ui/src/api/types.ts re-exports them).
 */

/** `GET /api/flows/:id/versions`: one commit of the versions repository that touched the flow, newest first. */
export interface FlowVersion {
  /** The commit hash (40 hex digits). */
  id: string;
  /** ISO 8601, as the commit was made. */
  time: string;
  author: string;
  message: string;
}

/** What kind of flow part a change is about. */
export type ComponentKind =
  | 'flow'
  | 'parameterContext'
  | 'service'
  | 'processor'
  | 'connection'
  | 'funnel'
  | 'inputPort'
  | 'outputPort'
  | 'label'
  | 'group';

/**
 * One changed property: a dotted path inside the component (`config.batchSize`, `schedule.yield`,
 * `parameters.api_key.value`) with the old and new values (absent = the property was not set). A sensitive
 * value is never shown: `sensitive: true` and no values.
 */
export interface PropertyChange {
  path: string;
  old?: unknown;
  new?: unknown;
  sensitive?: true;
}

export interface XY {
  x: number;
  y: number;
}

/**
 * One component that differs. `moved` is a change of position (or a label's size) alone, reported apart so a
 * layout tweak is not noise; a component that changed otherwise too is `changed`, its position among `changes`.
 */
export interface ComponentChange {
  kind: ComponentKind;
  id: string;
  /** The ids of the groups it is in, outermost first ([] at the top level). */
  group: string[];
  name?: string;
  change: 'added' | 'removed' | 'changed' | 'moved';
  /** changed and moved: what differs. */
  changes?: PropertyChange[];
  /** Where it is drawn: the new position (added, changed, moved) or the old one (removed). */
  position?: XY;
}

export interface FlowStructuralDiff {
  equal: boolean;
  components: ComponentChange[];
}
