/**
 * The structural diff drawn on the canvas (while the Versions panel compares a version with the current flow):
 * an outline around each marked node (added green, changed amber, moved blue; the changed properties in its
 * tooltip) and a red ghost box where a removed component was. Drawn in flow coordinates over the nodes; the
 * outlines let clicks through.
 */
import { ViewportPortal } from '@xyflow/react';
import { useMemo } from 'react';
import { useVersions } from '../panels/versions-state';
import { useStore } from '../store';
import { NODE_WIDTH } from '../store/session';
import { describeChange, describeComponent, diffMarks } from './diff-marks';
import './diff-overlay.css';

const GHOST_HEIGHT = 64;
const PAD = 5;

export function DiffOverlay() {
  const diff = useVersions((s) => s.diff);
  const path = useStore((s) => s.path);
  const nodes = useStore((s) => s.nodes);
  const marks = useMemo(() => diffMarks(diff, path, nodes), [diff, path, nodes]);
  if (!diff) return null;
  return (
    <ViewportPortal>
      {nodes.map((node) => {
        const mark = marks.nodes.get(node.id);
        if (!mark) return null;
        const width = node.measured?.width ?? node.width ?? NODE_WIDTH;
        const height = node.measured?.height ?? node.height ?? GHOST_HEIGHT;
        const title = mark.changes
          .flatMap((c) => [describeComponent(c), ...(c.changes ?? []).map((p) => `  ${describeChange(p)}`)])
          .join('\n');
        return (
          <div
            key={node.id}
            className={`diff-mark diff-${mark.mark}`}
            data-testid={`diff-mark-${node.id}`}
            data-mark={mark.mark}
            title={title}
            style={{
              transform: `translate(${node.position.x - PAD}px, ${node.position.y - PAD}px)`,
              width: width + 2 * PAD,
              height: height + 2 * PAD,
            }}
          />
        );
      })}
      {marks.ghosts.map((c) => (
        <div
          key={`${c.kind}:${c.id}`}
          className="diff-ghost"
          data-testid={`diff-ghost-${c.id}`}
          title={`${describeComponent(c)} removed since this version`}
          style={{
            transform: `translate(${c.position!.x}px, ${c.position!.y}px)`,
            width: NODE_WIDTH,
            height: GHOST_HEIGHT,
          }}
        >
          <span>{c.name ?? c.id}</span>
          <small>removed</small>
        </div>
      ))}
    </ViewportPortal>
  );
}
