/**
 * Routing a FlowFile to failure with its reason: the one shape the built-in processors share. The reason goes in
 * the processor's error attribute (`<prefix>.error`, e.g. "compress.error", named in the failure relationship's
 * description) so a flow can route or log on it.
 */

import { errorText } from '../processors/text';
import type { ProcessSession } from '../server/engine/contract';
import type { FlowFile } from '../server/engine/flowfile';

/**
 * Puts `reason` (an Error's message, anything's `message`, or the value as text: `errorText`) in attribute `attribute` of `ff` and transfers it to
 * `relationship` ("failure" unless told). Returns the transferred version.
 */
export function failWith(
  session: ProcessSession,
  ff: FlowFile,
  attribute: string,
  reason: unknown,
  relationship = 'failure',
): FlowFile {
  const failed = session.putAttributes(ff, { [attribute]: errorText(reason) });
  session.transfer(failed, relationship);
  return failed;
}
