/** What a processor card shows as its state, from the live status and the flow's validation issues. */
import type { ProcessorState } from '../api/types';
import type { ComponentIssue } from '../lib/issues';

export type DisplayState = 'running' | 'stopped' | 'invalid' | 'disabled' | 'starting' | 'stopping';

export function displayState(
  status: { state?: ProcessorState } | undefined,
  issues: readonly ComponentIssue[] | undefined,
  disabled: boolean | undefined,
): DisplayState {
  const state = status?.state;
  if (state === 'running' || state === 'starting' || state === 'stopping') return state;
  if (issues && issues.length > 0) return 'invalid';
  if (disabled || state === 'disabled') return 'disabled';
  return 'stopped';
}

export const STATE_LABEL: Record<DisplayState, string> = {
  running: 'Running',
  stopped: 'Stopped',
  invalid: 'Invalid',
  disabled: 'Disabled',
  starting: 'Starting',
  stopping: 'Stopping',
};

export const CATEGORY_GLYPH: Record<string, string> = {
  source: '↧',
  transform: 'ƒ',
  route: '⇉',
  sink: '⤓',
  messaging: '✉',
  stream: '≋',
};
