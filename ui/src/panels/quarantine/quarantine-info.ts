/**
 * What the quarantine tab shows of a quarantined FlowFile, read from the attributes the engine put on it, and
 * how it words the server's answers to "Put back" and "Drop all". Pure: tested without a browser.
 */
import type { QuarantineAttributes } from '../../api/types';

/** As the engine names them (server/engine/quarantine.ts); the type fails to compile if one is renamed there. */
const ATTRIBUTE: QuarantineAttributes = {
  reason: 'sluice.quarantine.reason',
  processor: 'sluice.quarantine.processor',
  failures: 'sluice.quarantine.failures',
};

export interface QuarantineInfo {
  /** The error of the last failed session, as the processor threw it. */
  reason: string;
  /** The processor whose sessions failed (its id). */
  processor: string;
  /** How many sessions failed before it was set aside. */
  failures: number | null;
}

export function quarantineInfo(attributes: Readonly<Record<string, string>>): QuarantineInfo {
  const failures = Number(attributes[ATTRIBUTE.failures]);
  return {
    reason: attributes[ATTRIBUTE.reason] || 'no reason recorded',
    processor: attributes[ATTRIBUTE.processor] ?? '',
    failures: attributes[ATTRIBUTE.failures] !== undefined && Number.isInteger(failures) ? failures : null,
  };
}

/** The quarantine attributes first (they say why it is here), then the FlowFile's own, as they are. */
export function attributesForDisplay(attributes: Readonly<Record<string, string>>): [string, string][] {
  const ours = new Set<string>(Object.values(ATTRIBUTE));
  const entries = Object.entries(attributes);
  return [...entries.filter(([k]) => ours.has(k)), ...entries.filter(([k]) => !ours.has(k))];
}

const flowFiles = (n: number) => `${n} FlowFile${n === 1 ? '' : 's'}`;

export type ReleaseAction = 'requeue' | 'drop';

/** The server's answer to a release, in words. */
export function releasedText(action: ReleaseAction, count: number): string {
  if (count === 0) return 'Nothing was quarantined any more.';
  return action === 'requeue'
    ? `Put back ${flowFiles(count)} into the queue, each as a new FlowFile (a REPLAY of the quarantined one).`
    : `Dropped ${flowFiles(count)} from the quarantine.`;
}

/** A refused or failed release: what was tried, then the server's own message, unchanged. */
export function releaseFailedText(action: ReleaseAction, message: string): string {
  return `${action === 'requeue' ? 'Putting back' : 'Dropping'} failed: ${message}`;
}
