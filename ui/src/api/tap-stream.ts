/**
 * The debug sidebar's live stream of one flow (`GET /api/flows/:id/taps/stream`): watching `connections` while
 * it is open, tap entries and debug lines pushed as they come. EventSource reconnects by itself after a network
 * error; a refused stream (the flow is gone) stays closed.
 */
import { tapStreamUrl } from './client';
import type { TapStreamMessage } from './tap-types';

export function openTapStream(
  flowId: string,
  connections: readonly string[],
  onMessage: (message: TapStreamMessage) => void,
  onLive: (live: boolean) => void,
): () => void {
  const source = new EventSource(tapStreamUrl(flowId, connections));
  source.onopen = () => onLive(true);
  source.onmessage = (message) => {
    let parsed: TapStreamMessage;
    try {
      parsed = JSON.parse(message.data as string) as TapStreamMessage;
    } catch {
      return;
    }
    onMessage(parsed);
  };
  source.onerror = () => onLive(false);
  return () => source.close();
}
