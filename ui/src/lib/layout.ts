/**
 * Layered auto-layout (dagre) for the canvas and the lineage graph: top-left positions by node id.
 *
 * Dagre orders each layer to cut crossings, but it knows nodes, not handles, and it routes a long connection
 * through the layers it spans, while the canvas draws every connection as one curve from a handle at the
 * bottom of its source to the top centre of its target. So a router's `matched` target may land right of its
 * `unmatched` one, and an error sink fed from every layer may sit where half its connections cut across the
 * main line. For the canvas (top to bottom, edges saying where they leave: `sourcePort`) two passes follow:
 * each layer, top to bottom, is ordered by where its nodes are fed from (the mean x of their incoming
 * handles), kept where that crosses fewer connections; then (up to 300 connections) each node in turn is
 * tried beside its neighbours, at its feeders' mean, or past either end of the drawing, and moved wherever fewer connections
 * cross it. Crossings are counted on straight segments handle to handle (`countCrossings`), and every move
 * must lower them, so the result never crosses more than dagre's. `direction: 'LR'` is dagre's alone.
 */
import { Graph, layout } from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  source: string;
  target: string;
  /** Where the edge leaves its source: the handle's x from the source's left edge (default: the middle). */
  sourcePort?: number;
}

export interface LayoutOptions {
  direction?: 'TB' | 'LR';
  nodeGap?: number;
  rankGap?: number;
}

type Positions = Record<string, { x: number; y: number }>;

/** Above this many connections, only dagre and the ordering by handles. */
const UNCROSS_LIMIT = 300;

export function layoutGraph(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  { direction = 'TB', nodeGap = 60, rankGap = 90 }: LayoutOptions = {},
): Positions {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: direction, nodesep: nodeGap, ranksep: rankGap, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  edges.forEach((e, i) => {
    if (g.hasNode(e.source) && g.hasNode(e.target) && e.source !== e.target) g.setEdge(e.source, e.target, {}, `e${i}`);
  });
  layout(g);
  const positions: Positions = {};
  for (const n of nodes) {
    const placed = g.node(n.id) as { x: number; y: number };
    positions[n.id] = { x: Math.round(placed.x - n.width / 2), y: Math.round(placed.y - n.height / 2) };
  }
  if (direction !== 'TB' || !edges.some((e) => e.sourcePort !== undefined)) return positions;
  const ported = orderByPorts(nodes, edges, positions, nodeGap);
  const ordered = countCrossings(nodes, edges, ported) < countCrossings(nodes, edges, positions) ? ported : positions;
  // Moving nodes one by one costs O(nodes × connections) a round: for the flows people lay out by hand.
  return edges.length <= UNCROSS_LIMIT ? uncross(nodes, edges, ordered, nodeGap) : ordered;
}

/** The layers of a top-to-bottom layout: nodes with the same vertical centre, top layer first. */
function layers(nodes: readonly LayoutNode[], at: Positions): LayoutNode[][] {
  const byCentre = new Map<number, LayoutNode[]>();
  for (const n of nodes) {
    const centre = Math.round(at[n.id]!.y + n.height / 2);
    byCentre.set(centre, [...(byCentre.get(centre) ?? []), n]);
  }
  return [...byCentre.entries()].sort((a, b) => a[0] - b[0]).map(([, layer]) => layer);
}

function orderByPorts(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  start: Positions,
  gap: number,
): Positions {
  const at: Positions = Object.fromEntries(Object.entries(start).map(([id, p]) => [id, { ...p }]));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const done = new Set<string>();
  for (const layer of layers(nodes, start)) {
    const key = (n: LayoutNode) => {
      const feeds = edges.filter((e) => e.target === n.id && done.has(e.source) && byId.has(e.source));
      if (feeds.length === 0) return at[n.id]!.x + n.width / 2;
      const xs = feeds.map((e) => at[e.source]!.x + (e.sourcePort ?? byId.get(e.source)!.width / 2));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const keyed = layer.map((n) => ({ n, k: key(n), x: at[n.id]!.x }));
    // The layer's own slots (centres, left to right), given out in the new order; then pushed apart where wider
    // nodes would now overlap.
    const centres = keyed.map(({ n, x }) => x + n.width / 2).sort((a, b) => a - b);
    keyed.sort((a, b) => a.k - b.k || a.x - b.x);
    let right = Number.NEGATIVE_INFINITY;
    keyed.forEach(({ n }, i) => {
      const left = Math.max(Math.round(centres[i]! - n.width / 2), right + gap);
      at[n.id]!.x = left;
      right = left + n.width;
    });
    for (const n of layer) done.add(n.id);
  }
  return at;
}

/**
 * Moves single nodes sideways while that lowers the crossings on their own connections (the only ones a move
 * changes): to the slot of the next node either side in its layer (the two swap), under the mean of the handles feeding it,
 * or past the left or right end of the drawing; never onto another node of its layer. A few rounds at most.
 */
function uncross(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], start: Positions, gap: number): Positions {
  const at: Positions = Object.fromEntries(Object.entries(start).map(([id, p]) => [id, { ...p }]));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const valid = edges.filter((e) => e.source !== e.target && byId.has(e.source) && byId.has(e.target));
  const incident = new Map<string, LayoutEdge[]>(nodes.map((n) => [n.id, []]));
  for (const e of valid) {
    incident.get(e.source)!.push(e);
    incident.get(e.target)!.push(e);
  }
  const segment = (e: LayoutEdge): Segment => {
    const s = byId.get(e.source)!;
    const t = byId.get(e.target)!;
    return {
      a: { x: at[s.id]!.x + (e.sourcePort ?? s.width / 2), y: at[s.id]!.y + s.height },
      b: { x: at[t.id]!.x + t.width / 2, y: at[t.id]!.y },
    };
  };
  /** Crossings of the connections of `ids` with every connection (each pair counted once). */
  /** Crossings of the connections of `ids` with every connection (each pair counted once). */
  const crossingsAt = (ids: readonly string[]) => {
    const mine = new Set(ids.flatMap((id) => incident.get(id)!));
    const own = [...mine].map(segment);
    const rest = valid.filter((e) => !mine.has(e)).map(segment);
    let n = 0;
    own.forEach((s, i) => {
      for (const t of rest) if (cross(s, t)) n++;
      for (const t of own.slice(i + 1)) if (cross(s, t)) n++;
    });
    return n;
  };
  const layerOf = new Map<string, LayoutNode[]>();
  for (const layer of layers(nodes, at)) for (const n of layer) layerOf.set(n.id, layer);
  const fits = (n: LayoutNode, x: number, except: ReadonlySet<string>) =>
    layerOf
      .get(n.id)!
      .every(
        (m) => m === n || except.has(m.id) || x + n.width + gap <= at[m.id]!.x || at[m.id]!.x + m.width + gap <= x,
      );

  for (let round = 0; round < 4; round++) {
    let moved = false;
    for (const n of nodes) {
      if (incident.get(n.id)!.length === 0) continue;
      const layer = layerOf.get(n.id)!;
      const left = Math.min(...nodes.map((m) => at[m.id]!.x));
      const right = Math.max(...nodes.map((m) => at[m.id]!.x + m.width));
      const feeders = incident.get(n.id)!.filter((e) => e.target === n.id);
      // Candidate moves: [node id, new x] pairs applied together.
      const moves: [string, number][][] = [
        [[n.id, Math.round(left - gap - n.width)]],
        [[n.id, Math.round(right + gap)]],
      ];
      if (feeders.length > 0) {
        const mean =
          feeders.reduce((sum, e) => sum + at[e.source]!.x + (e.sourcePort ?? byId.get(e.source)!.width / 2), 0) /
          feeders.length;
        moves.push([[n.id, Math.round(mean - n.width / 2)]]);
      }
      // Swap with the next node on either side: each takes the other's centre.
      const row = [...layer].sort((a, b) => at[a.id]!.x - at[b.id]!.x);
      const i = row.indexOf(n);
      for (const m of [row[i - 1], row[i + 1]]) {
        if (!m) continue;
        moves.push([
          [n.id, Math.round(at[m.id]!.x + m.width / 2 - n.width / 2)],
          [m.id, Math.round(at[n.id]!.x + n.width / 2 - m.width / 2)],
        ]);
      }
      const ids = (move: [string, number][]) => move.map(([id]) => id);
      let best: { move: [string, number][]; crossings: number } | null = null;
      for (const move of moves) {
        const except = new Set(ids(move));
        if (!move.every(([id, x]) => fits(byId.get(id)!, x, except))) continue;
        const before = crossingsAt(ids(move));
        const was = move.map(([id]) => at[id]!.x);
        for (const [id, x] of move) at[id]!.x = x;
        const after = crossingsAt(ids(move));
        move.forEach(([id], i) => {
          at[id]!.x = was[i]!;
        });
        if (after < before && (!best || before - after > best.crossings)) best = { move, crossings: before - after };
      }
      if (best) {
        for (const [id, x] of best.move) at[id]!.x = x;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return at;
}

interface Segment {
  a: { x: number; y: number };
  b: { x: number; y: number };
}

/** a, b, c turn counter-clockwise (> 0), clockwise (< 0) or lie on a line (0). */
const turn = (a: Segment['a'], b: Segment['a'], c: Segment['a']) =>
  (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);

function cross(s: Segment, t: Segment): boolean {
  const d1 = turn(t.a, t.b, s.a);
  const d2 = turn(t.a, t.b, s.b);
  const d3 = turn(s.a, s.b, t.a);
  const d4 = turn(s.a, s.b, t.b);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

/**
 * How many pairs of connections cross, each drawn as a straight segment from its handle at the bottom of its
 * source (`sourcePort`, default the middle) to the top centre of its target. Segments that only meet at an end
 * (two connections into one target) do not count.
 */
export function countCrossings(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], at: Positions): number {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const segments: Segment[] = [];
  for (const e of edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t || s === t) continue;
    segments.push({
      a: { x: at[s.id]!.x + (e.sourcePort ?? s.width / 2), y: at[s.id]!.y + s.height },
      b: { x: at[t.id]!.x + t.width / 2, y: at[t.id]!.y },
    });
  }
  let crossings = 0;
  for (let i = 0; i < segments.length; i++)
    for (let j = i + 1; j < segments.length; j++) if (cross(segments[i]!, segments[j]!)) crossings++;
  return crossings;
}
