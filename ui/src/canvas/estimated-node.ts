/**
 * A processor card's size and handle positions before it is first drawn. React Flow draws every node once to
 * measure it, even with `onlyRenderVisibleElements`, unless the node comes with a size and its handles: for a
 * flow of 1,000 processors that first pass is most of the time to open it. So a card not yet measured goes to
 * React Flow with an estimate (the card's CSS: 270 px wide or as wide as its relationship row, 141 px high, the
 * input handle at the top centre, one output handle per relationship spread along the bottom), and is measured
 * for real when it first comes into view. Only where nothing is drawn (off screen) is the estimate ever used.
 */
import { type NodeHandle, Position } from '@xyflow/react';
import type { ProcessorNode } from '../flow-mapping';
import { INPUT_HANDLE } from '../flow-mapping';

export const CARD_WIDTH = 270;
export const CARD_HEIGHT = 141;
const RELS_PADDING = 8;
const RELS_GAP = 4;
const SOURCE_HANDLE = 10;
const TARGET_HANDLE = 6;

/** A relationship label's width: 10.5 px type, 6 px padding each side, a border. */
const labelWidth = (name: string) => 14 + 6.3 * name.length;

/** The size and handles of a card showing `relationships` (left to right). */
export function estimateCard(relationships: readonly string[]): {
  width: number;
  height: number;
  handles: NodeHandle[];
} {
  const widths = relationships.map(labelWidth);
  const row = widths.reduce((a, b) => a + b, 0) + RELS_GAP * Math.max(0, widths.length - 1);
  const width = Math.max(CARD_WIDTH, Math.ceil(row + 2 * RELS_PADDING));
  // `justify-content: space-around`: each label gets an equal share of the free space, half on either side.
  const share = widths.length > 0 ? (width - 2 * RELS_PADDING - row) / widths.length : 0;
  let left = RELS_PADDING + share / 2;
  const handles: NodeHandle[] = [
    {
      id: INPUT_HANDLE,
      type: 'target',
      position: Position.Top,
      x: width / 2 - TARGET_HANDLE / 2,
      y: -8,
      width: TARGET_HANDLE,
      height: TARGET_HANDLE,
    },
  ];
  relationships.forEach((name, i) => {
    handles.push({
      id: name,
      type: 'source',
      position: Position.Bottom,
      x: left + widths[i]! / 2 - SOURCE_HANDLE / 2,
      y: CARD_HEIGHT - 5,
      width: SOURCE_HANDLE,
      height: SOURCE_HANDLE,
    });
    left += widths[i]! + RELS_GAP + share;
  });
  return { width, height: CARD_HEIGHT, handles };
}

const estimated = new WeakMap<ProcessorNode, ProcessorNode>();
const originals = new WeakMap<object, ProcessorNode>();

/**
 * Half a pixel off on purpose: React Flow reports a measured size to the store only when it differs from the
 * size it had, and that report is what replaces the estimate for good (a whole-pixel estimate that happened to
 * be right would come back with the estimated handles the next time the store changed the node).
 */
const UNMEASURED = 0.5;

/**
 * `node` as React Flow should get it: itself once measured, else a copy with the estimate (the same copy for
 * the same node object, so React Flow sees no change until the store changes the node).
 */
export function withEstimate(node: ProcessorNode, relationships: (node: ProcessorNode) => string[]): ProcessorNode {
  if (node.measured?.width && node.measured.height) return node;
  let copy = estimated.get(node);
  if (!copy) {
    const { width, height, handles } = estimateCard(relationships(node));
    copy = { ...node, measured: { width: width + UNMEASURED, height: height + UNMEASURED }, handles };
    estimated.set(node, copy);
    originals.set(copy, node);
  }
  return copy;
}

/** The store's node a node React Flow holds stands for: itself, or the node an estimated copy was made of. */
export function storeNodeOf<T extends object>(drawn: T): T | ProcessorNode {
  return originals.get(drawn) ?? drawn;
}
