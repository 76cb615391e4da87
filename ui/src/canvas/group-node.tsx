/**
 * The nodes a level draws besides processors: a process group's card (its input ports as handles on the left,
 * its output ports on the right, a roll-up of the processors under it; double-click to enter it), a funnel, a
 * label, and inside a group its own input and output ports.
 */
import { Handle, type NodeProps, NodeResizer, Position } from '@xyflow/react';
import { memo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  type FunnelNode as FunnelNodeType,
  type GroupNode as GroupNodeType,
  groupInHandle,
  groupOutHandle,
  INPUT_HANDLE,
  type InputPortNode as InputPortNodeType,
  type LabelNode as LabelNodeType,
  type OutputPortNode as OutputPortNodeType,
  PASS_HANDLE,
} from '../flow-mapping';
import { formatCount } from '../lib/format';
import { useStore } from '../store';
import { useCan } from '../store/use-can';
import { rollUp } from './group-rollup';

function GroupNodeView({ id, data, selected }: NodeProps<GroupNodeType>) {
  const { spec } = data;
  const counts = useStore(useShallow((s) => rollUp({ ...spec, id }, s.path, s.status, s.save.issues.processors)));
  const inputs = spec.inputPorts ?? [];
  const outputs = spec.outputPorts ?? [];
  const rows = Math.max(inputs.length, outputs.length, 1);
  return (
    <div
      className={`group-card${selected ? ' selected' : ''}`}
      data-testid={`group-${id}`}
      style={{ minHeight: 96 + rows * 22 }}
      title="Double-click to open the group"
    >
      <div className="group-head">
        <span className="group-icon">▣</span>
        <span className="group-name">{spec.name ?? id}</span>
      </div>
      <div className="group-ports">
        <div className="group-port-list in">
          {inputs.map((p) => (
            <div key={p.id} className="group-port in" data-testid={`group-${id}-in-${p.id}`}>
              <Handle type="target" position={Position.Left} id={groupInHandle(p.id)} />
              {p.name ?? p.id}
            </div>
          ))}
        </div>
        <div className="group-port-list out">
          {outputs.map((p) => (
            <div key={p.id} className="group-port out" data-testid={`group-${id}-out-${p.id}`}>
              {p.name ?? p.id}
              <Handle type="source" position={Position.Right} id={groupOutHandle(p.id)} />
            </div>
          ))}
        </div>
      </div>
      <div className="group-rollup" data-testid={`group-rollup-${id}`}>
        <span className="state-pill running" title="Running">
          ▶ {counts.running}
        </span>
        <span className="state-pill stopped" title="Stopped">
          ■ {counts.stopped}
        </span>
        <span className="state-pill invalid" title="Invalid">
          ⚠ {counts.invalid}
        </span>
        <span className="group-queued" title="FlowFiles queued in the group">
          {formatCount(counts.queued)} queued
        </span>
      </div>
    </div>
  );
}

function FunnelNodeView({ id, selected }: NodeProps<FunnelNodeType>) {
  return (
    <div className={`funnel${selected ? ' selected' : ''}`} data-testid={`funnel-${id}`} title={`Funnel ${id}`}>
      <Handle type="target" position={Position.Top} id={INPUT_HANDLE} />
      ⋎
      <Handle type="source" position={Position.Bottom} id={PASS_HANDLE} />
    </div>
  );
}

function LabelNodeView({ id, data, selected }: NodeProps<LabelNodeType>) {
  const { spec } = data;
  const canEdit = useCan('admin');
  // The size while a resize is under way (the store gets it, as one edit, when the drag ends).
  const [live, setLive] = useState<{ width: number; height: number } | null>(null);
  const size = live ?? { width: spec.size?.width ?? 220, height: spec.size?.height ?? 80 };
  return (
    <>
      <NodeResizer
        isVisible={Boolean(selected) && canEdit}
        minWidth={60}
        minHeight={30}
        onResize={(_, p) => setLive({ width: p.width, height: p.height })}
        onResizeEnd={(_, p) => {
          setLive(null);
          useStore.getState().updateLabel(id, {
            size: { width: Math.round(p.width), height: Math.round(p.height) },
            position: { x: p.x, y: p.y },
          });
        }}
      />
      <div
        className={`canvas-label${selected ? ' selected' : ''}`}
        data-testid={`label-${id}`}
        style={{ ...size, background: spec.color ?? '#fde68a' }}
      >
        {spec.text}
      </div>
    </>
  );
}

function InputPortNodeView({ id, data, selected }: NodeProps<InputPortNodeType>) {
  return (
    <div className={`port-node in${selected ? ' selected' : ''}`} data-testid={`port-${id}`} title="Input port">
      <span className="port-glyph">⇥</span> {data.spec.name ?? id}
      <Handle type="source" position={Position.Bottom} id={PASS_HANDLE} />
    </div>
  );
}

function OutputPortNodeView({ id, data, selected }: NodeProps<OutputPortNodeType>) {
  return (
    <div className={`port-node out${selected ? ' selected' : ''}`} data-testid={`port-${id}`} title="Output port">
      <Handle type="target" position={Position.Top} id={INPUT_HANDLE} />
      <span className="port-glyph">↦</span> {data.spec.name ?? id}
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);
export const FunnelNode = memo(FunnelNodeView);
export const LabelNode = memo(LabelNodeView);
export const InputPortNode = memo(InputPortNodeView);
export const OutputPortNode = memo(OutputPortNodeView);
