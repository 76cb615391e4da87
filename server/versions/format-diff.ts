/**
 * The structural diff as terminal text (`sluice diff`): one line per component, `+` added, `-` removed, `~`
 * changed (its properties indented below, `old → new`), `>` moved. Colours only when asked (a TTY).
 */
import type { ComponentChange, FlowStructuralDiff, PropertyChange } from './version-types';

const COLOURS = { added: '\x1b[32m', removed: '\x1b[31m', changed: '\x1b[33m', moved: '\x1b[36m' } as const;
const RESET = '\x1b[0m';
const MARK = { added: '+', removed: '-', changed: '~', moved: '>' } as const;

export function formatStructuralDiff(diff: FlowStructuralDiff, options: { color?: boolean } = {}): string {
  if (diff.equal) return '';
  const lines: string[] = [];
  for (const c of diff.components) {
    const paint = (text: string) => (options.color ? `${COLOURS[c.change]}${text}${RESET}` : text);
    lines.push(paint(`${MARK[c.change]} ${describe(c)}`));
    for (const change of c.changes ?? []) lines.push(`    ${formatChange(change)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `processor "gen" (Generate) in group intake/checks`. */
export function describe(c: ComponentChange): string {
  const name = c.name !== undefined && c.name !== c.id ? ` (${c.name})` : '';
  const where = c.group.length > 0 ? ` in group ${c.group.join('/')}` : '';
  const verb = c.change === 'moved' ? ' moved' : '';
  return `${c.kind} "${c.id}"${name}${where}${verb}`;
}

export function formatChange(change: PropertyChange): string {
  if (change.sensitive) return `${change.path}: changed (sensitive)`;
  return `${change.path}: ${show(change.old)} → ${show(change.new)}`;
}

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
