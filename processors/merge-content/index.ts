import {
  defineProcessor,
  duration,
  type FlowFile,
  failWith,
  formatDuration,
  formatSize,
  type ProcessSession,
  size,
} from '../../sdk';
import { FRAGMENT_ATTRIBUTES, ORIGINAL_FILENAME } from '../fragments';
import { type BinLimits, groupFragments, type MergeReason, packBins, readyBins } from './bins';

/** Most FlowFiles one trigger takes, whatever maxEntries × maxBins says. */
const MAX_TAKE = 100_000;

interface MergeState {
  limits: BinLimits;
  take: number;
  header: Buffer;
  footer: Buffer;
  demarcator: Buffer;
  /** When this processor first took each FlowFile still waiting in a bin (bin age counts from here). */
  firstSeen: Map<string, number>;
}

function concatenate(state: MergeState, members: readonly FlowFile[]): Buffer {
  const parts: Buffer[] = [state.header];
  members.forEach((ff, i) => {
    if (i > 0) parts.push(state.demarcator);
    parts.push(ff.content);
  });
  parts.push(state.footer);
  return Buffer.concat(parts);
}

function merge(
  session: ProcessSession,
  state: MergeState,
  members: readonly FlowFile[],
  reason: MergeReason,
  since: number,
  now: number,
  defragment: boolean,
): void {
  let merged = session.create({
    parents: members,
    content: concatenate(state, members),
    attributes: { 'merge.count': String(members.length), 'merge.reason': reason, 'merge.bin.age': String(now - since) },
  });
  if (defragment) {
    const filename = members[0]!.attributes[ORIGINAL_FILENAME];
    merged = session.removeAttributes(merged, FRAGMENT_ATTRIBUTES);
    if (filename) merged = session.putAttributes(merged, { filename });
  }
  session.transfer(merged, 'merged');
  for (const ff of members) {
    state.firstSeen.delete(ff.id);
    session.transfer(ff, 'original');
  }
}

function fail(session: ProcessSession, state: MergeState, ff: FlowFile, reason: string): void {
  state.firstSeen.delete(ff.id);
  failWith(session, ff, 'merge.error', reason);
}

export default defineProcessor({
  type: 'MergeContent',
  category: 'transform',
  description:
    'Concatenates FlowFiles into one (JOIN provenance): bins by count, size and age, optionally per correlation attribute, with header, footer and demarcator; or reassembles the fragments of SplitText/SplitJSON in order (defragment). FlowFiles waiting for a bin stay in the input queue, so nothing is lost on stop or crash.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      mergeStrategy: {
        enum: ['bin-packing', 'defragment'],
        default: 'bin-packing',
        description:
          'bin-packing: merge whatever is available by the limits below; defragment: merge the fragments of one split (fragment.identifier/index/count) in index order once all are there.',
      },
      correlationAttribute: {
        type: 'string',
        default: '',
        description: 'bin-packing: only FlowFiles with the same value of this attribute share a bin ("" = one bin).',
      },
      minEntries: {
        type: 'integer',
        minimum: 1,
        default: 1,
        description: 'bin-packing: a bin is merged once it has this many FlowFiles and nothing more is queued.',
      },
      maxEntries: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_TAKE,
        default: 1000,
        description: 'A bin with this many FlowFiles is merged at once (defragment: the largest fragment.count).',
      },
      minSize: size('bin-packing: a bin is merged once it holds this much content and nothing more is queued.', '0 B'),
      maxSize: size(
        'bin-packing: a bin is merged before it would exceed this much content (a larger FlowFile is merged alone).',
        '100 MB',
      ),
      maxBinAge: duration(
        'A bin older than this is merged even below its minimums (defragment: its fragments go to failure); 0s = never.',
        '30s',
      ),
      maxBins: {
        type: 'integer',
        minimum: 1,
        maximum: 10000,
        default: 10,
        description: 'Bins waiting at once; beyond this the oldest is merged.',
      },
      header: { type: 'string', default: '', description: 'Text written before the merged content.' },
      footer: { type: 'string', default: '', description: 'Text written after the merged content.' },
      demarcator: {
        type: 'string',
        default: '',
        description: 'Text written between two merged FlowFiles, e.g. "\\n" for JSON lines.',
      },
    },
  },
  relationships: [
    {
      name: 'merged',
      description:
        'The merged FlowFile: attributes common to all inputs, merge.count, merge.reason and merge.bin.age (ms); defragment restores filename from segment.original.filename.',
    },
    { name: 'original', description: 'The FlowFiles that went into a merge.' },
    {
      name: 'failure',
      description:
        'Defragment only: FlowFiles without valid fragment attributes, duplicates, or fragments of a set still incomplete after maxBinAge; the reason is in "merge.error".',
    },
  ],
  validate(config) {
    const issues = [];
    if (config.minEntries > config.maxEntries)
      issues.push({ path: '/minEntries', message: `must not exceed maxEntries (${config.maxEntries})` });
    if (config.minSize > config.maxSize)
      issues.push({ path: '/minSize', message: `must not exceed maxSize (${formatSize(config.maxSize)})` });
    return issues;
  },
  setup: (config): MergeState => ({
    limits: {
      minEntries: config.minEntries,
      maxEntries: config.maxEntries,
      minBytes: config.minSize,
      maxBytes: config.maxSize,
      maxAgeMs: config.maxBinAge,
      maxBins: config.maxBins,
    },
    take: Math.min(MAX_TAKE, config.maxEntries * config.maxBins),
    header: Buffer.from(config.header),
    footer: Buffer.from(config.footer),
    demarcator: Buffer.from(config.demarcator),
    firstSeen: new Map(),
  }),
  async onTrigger(session, ctx) {
    const { config, state } = ctx;
    const ffs = await session.get(state.take);
    if (ffs.length === 0) return;
    const now = Date.now();
    const exhausted = ffs.length < state.take;
    const seenAt = (ff: FlowFile): number => {
      let at = state.firstSeen.get(ff.id);
      if (at === undefined) {
        at = now;
        state.firstSeen.set(ff.id, at);
      }
      return at;
    };
    let merged = 0;
    const waiting: FlowFile[] = [];

    if (config.mergeStrategy === 'defragment') {
      const { groups, rejected } = groupFragments(ffs, seenAt);
      for (const r of rejected) fail(session, state, r.ff, r.reason);
      for (const g of groups) {
        if (g.count > state.take) {
          const reason = `fragment.count ${g.count} exceeds what one merge can take (maxEntries × maxBins = ${state.take})`;
          for (const ff of g.members) fail(session, state, ff, reason);
        } else if (g.members.length === g.count) {
          merge(session, state, g.members, 'complete', g.since, now, true);
          merged++;
        } else if (state.limits.maxAgeMs > 0 && now - g.since >= state.limits.maxAgeMs) {
          const reason = `incomplete: ${g.members.length} of ${g.count} fragments of ${g.id} after ${formatDuration(config.maxBinAge)}`;
          for (const ff of g.members) fail(session, state, ff, reason);
        } else waiting.push(...g.members);
      }
    } else {
      const attribute = config.correlationAttribute;
      const keyOf = attribute ? (ff: FlowFile) => ff.attributes[attribute] ?? '' : () => '';
      const bins = packBins(ffs, keyOf, seenAt, state.limits);
      const ready = readyBins(bins, state.limits, now, exhausted);
      for (const bin of bins) {
        const reason = ready.get(bin);
        if (reason) {
          merge(session, state, bin.members, reason, bin.since, now, false);
          merged++;
        } else waiting.push(...bin.members);
      }
    }

    for (const ff of waiting) session.requeue(ff);
    if (waiting.length > 0 && merged === 0) ctx.yield();
    if (state.firstSeen.size > 4 * state.take) {
      // Entries for FlowFiles that never came back (emptied queue, expired): keep only those waiting now.
      const keep = new Set(waiting.map((ff) => ff.id));
      for (const id of state.firstSeen.keys()) if (!keep.has(id)) state.firstSeen.delete(id);
    }
  },
});
