/**
 * KeyValueLookupService: a lookup service (kind lookup-service) over a map written in its config: key → record,
 * or key → text returned as {"value": text}. For small, fixed tables (country codes, status names).
 */
import { defineService, LOOKUP_SERVICE, type LookupService, type RecordObject } from '../../sdk';

export default defineService({
  type: 'KeyValueLookupService',
  description:
    'A lookup service over a fixed map in its config: key → record object, or key → text (found as {"value": text}). LookupRecord enriches records from it.',
  provides: [LOOKUP_SERVICE],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      entries: {
        type: 'object',
        additionalProperties: { anyOf: [{ type: 'object' }, { type: 'string' }] },
        default: {},
        description: 'Key → record ({"DE": {"country": "Germany", "eu": true}}) or key → text ({"DE": "Germany"}).',
      },
    },
  },
  enable(config): LookupService {
    const map = new Map<string, RecordObject>();
    for (const [key, entry] of Object.entries(config.entries as Record<string, RecordObject | string>))
      map.set(key, typeof entry === 'string' ? { value: entry } : entry);
    return {
      // A shallow copy: a processor that sets fields on the result cannot change the map.
      lookup: async (key) => {
        const found = map.get(key);
        return found && { ...found };
      },
    };
  },
});
