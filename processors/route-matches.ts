import type { FlowFile, ProcessSession } from '../sdk';

/**
 * Sends a FlowFile where its rules matched, as the router processors do: to `unmatched` when none did, to the
 * first match, and a clone to each further match (all-matches strategy). `attribute` records the route taken.
 */
export function transferToMatches(
  session: ProcessSession,
  ff: FlowFile,
  matched: readonly string[],
  attribute: string,
): void {
  if (matched.length === 0) {
    session.transfer(session.putAttributes(ff, { [attribute]: 'unmatched' }), 'unmatched');
    return;
  }
  for (let i = 1; i < matched.length; i++)
    session.transfer(session.putAttributes(session.clone(ff), { [attribute]: matched[i]! }), matched[i]!);
  session.transfer(session.putAttributes(ff, { [attribute]: matched[0]! }), matched[0]!);
}
