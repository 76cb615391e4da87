/**
 * Ports and funnels at run time. A flow with groups is flattened before it runs
 * (server/validation/flatten-groups.ts): each input port, output port and funnel becomes a processor of one of
 * these types, which moves every FlowFile it takes, unchanged, to its one relationship. The session records no
 * provenance event for such a move (no ROUTE: `routes` is off; nothing is modified), so a port or funnel adds no
 * event of its own, as in NiFi; only a port or funnel wired to several connections clones (CLONE), as a
 * processor's relationship does. The connections on either side are real queues with their own back pressure.
 *
 * The types start with "~", which no processor type a flow may name starts with: a flow cannot use them directly.
 */
import { defineProcessor, type ProcessorDefinition } from '../../sdk';

/** The one relationship of a port or funnel. */
export const PASS_THROUGH_RELATIONSHIP = 'success';
/** FlowFiles moved per session: the overshoot past a full connection is at most this many minus one. */
export const PASS_THROUGH_BATCH = 100;

export const INPUT_PORT_TYPE = '~InputPort';
export const OUTPUT_PORT_TYPE = '~OutputPort';
export const FUNNEL_TYPE = '~Funnel';

function passThrough(type: string, description: string): ProcessorDefinition {
  return defineProcessor({
    type,
    category: 'route',
    description,
    input: 'required',
    config: { type: 'object', additionalProperties: false, properties: {} },
    relationships: [{ name: PASS_THROUGH_RELATIONSHIP, description: 'Every FlowFile, unchanged.' }],
    async onTrigger(session) {
      for (const ff of await session.get(PASS_THROUGH_BATCH)) session.transfer(ff, PASS_THROUGH_RELATIONSHIP);
    },
  });
}

export const InputPort = passThrough(
  INPUT_PORT_TYPE,
  "A group's input port: passes FlowFiles from connections of the parent group to connections inside the group.",
);
export const OutputPort = passThrough(
  OUTPUT_PORT_TYPE,
  "A group's output port: passes FlowFiles from connections inside the group to connections of the parent group.",
);
export const Funnel = passThrough(FUNNEL_TYPE, 'Merges the connections into it into the connections out of it.');

export const internalProcessors: readonly ProcessorDefinition[] = [InputPort, OutputPort, Funnel];

/** A processor type only the flattening may use: flows cannot name it. */
export function isInternalType(type: string): boolean {
  return type.startsWith('~');
}

/**
 * Registers the pass-through types in `registry` when it lacks them (idempotent), so an engine built with that
 * registry can run a flattened flow. Called by validateFlow for flows that have ports or funnels.
 */
export function ensureInternalProcessors(registry: {
  get(type: string): unknown;
  register(definition: ProcessorDefinition): void;
}): void {
  for (const d of internalProcessors) if (!registry.get(d.type)) registry.register(d);
}
