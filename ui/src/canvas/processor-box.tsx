/**
 * A processor zoomed out below LOW_DETAIL_ZOOM (detail-level.ts): a box of the card's size with the name in
 * large type, its category as the stripe and its state as the border. Its handles are there for React Flow to
 * measure (edges end on them) but not drawn: nothing is connected at this zoom.
 */
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { globalIdAt, INPUT_HANDLE, type ProcessorNode as ProcessorNodeType } from '../flow-mapping';
import { useStore } from '../store';
import { CARD_HEIGHT, CARD_WIDTH } from './estimated-node';
import { displayState } from './node-state';
import { countRender } from './test-hooks';
import { useRelationships, useUsedRelationships } from './use-relationships';

export function ProcessorBox({ id, data, selected, width, height }: NodeProps<ProcessorNodeType>) {
  countRender(`proc:${id}`);
  const { spec } = data;
  const descriptor = useStore((s) => s.catalog.byType[spec.type]);
  const state = useStore((s) => s.status?.processors[globalIdAt(s.path, id)]?.state);
  const issues = useStore((s) => s.save.issues.processors[globalIdAt(s.path, id)] ?? s.save.issues.processors[id]);
  const offered = useRelationships(spec);
  const used = useUsedRelationships(id);
  const names = new Set([...offered.map((r) => r.name), ...used]);
  const shown = displayState({ state }, issues, spec.disabled);
  return (
    <div
      className={`proc-box cat-${descriptor?.category ?? 'transform'} ${shown}${selected ? ' selected' : ''}`}
      data-testid={`proc-${id}`}
      data-lod="low"
      data-state={shown}
      style={{ width: Math.round(width ?? CARD_WIDTH), height: Math.round(height ?? CARD_HEIGHT) }}
      title={spec.name ?? id}
    >
      {descriptor?.input !== 'forbidden' && <Handle type="target" position={Position.Top} id={INPUT_HANDLE} />}
      <span className="proc-box-name">{spec.name ?? id}</span>
      <div className="proc-box-handles">
        {[...names].map((name) => (
          <span key={name}>
            <Handle type="source" position={Position.Bottom} id={name} isConnectable={false} />
          </span>
        ))}
      </div>
    </div>
  );
}
