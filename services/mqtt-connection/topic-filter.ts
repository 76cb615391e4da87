/** MQTT topic filter matching (MQTT 5 §4.7), for dispatching one client's messages to several subscribers. */

/** The filter a subscription names: `$share/<group>/<filter>` matches like `<filter>`. */
export function filterOf(subscription: string): string {
  const shared = /^\$share\/[^/]+\/(.*)$/.exec(subscription);
  return shared ? shared[1]! : subscription;
}

/**
 * Whether a topic matches a filter: `+` matches one level, `#` (last) the level it stands for and every level
 * below; a topic starting with `$` ($SYS/...) is not matched by a filter starting with a wildcard.
 */
export function topicMatches(subscription: string, topic: string): boolean {
  const filter = filterOf(subscription).split('/');
  const levels = topic.split('/');
  if (topic.startsWith('$') && (filter[0] === '+' || filter[0] === '#')) return false;
  for (let i = 0; i < filter.length; i++) {
    const f = filter[i]!;
    if (f === '#') return i === filter.length - 1;
    if (i >= levels.length) return false;
    if (f !== '+' && f !== levels[i]) return false;
  }
  return filter.length === levels.length;
}
