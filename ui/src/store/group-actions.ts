/**
 * What the UI does with one process group and the server or the file system: export it as a flow file of its own,
 * import a flow file into the level shown (as a new group), start and stop it.
 */
import { api } from '../api/client';
import type { Flow } from '../api/types';
import { type GroupNode, levelNodeToSpec } from '../flow-mapping';
import { flushSave } from './autosave';
import { groupToFlowFile } from './edits';
import { useStore } from './index';
import { download, report } from './session';

const s = () => useStore.getState();

/** Downloads group `id` of the level shown as a flow file whose single top-level group it is. */
export function exportGroup(id: string): void {
  const node = s().others.find((n): n is GroupNode => n.id === id && n.type === 'processGroup');
  if (!node) return;
  const file = groupToFlowFile(levelNodeToSpec(node) as Parameters<typeof groupToFlowFile>[0]);
  download(`${JSON.stringify(file, null, 2)}\n`, `${id}.json`);
}

/** Reads a flow file and adds it to the level shown as a new group (the server checks it with the next save). */
export async function importFileIntoLevel(file: File): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await file.text());
  } catch (err) {
    s().showProblems({
      title: `Cannot import ${file.name}`,
      message: `The file is not JSON: ${(err as Error).message}`,
      issues: [],
    });
    return;
  }
  const flow = body as Partial<Flow>;
  if (
    !flow ||
    typeof flow !== 'object' ||
    typeof flow.id !== 'string' ||
    !Array.isArray(flow.processors) ||
    !Array.isArray(flow.connections)
  ) {
    s().showProblems({ title: `Cannot import ${file.name}`, message: 'The file is not a Sluice flow.', issues: [] });
    return;
  }
  // Problems of its own (a group's ports not yet connected at the new level, say) come back with the next save,
  // as for any edit: the flow is kept and marked, and one undo takes the import back.
  const id = s().importIntoThisLevel(flow as Flow);
  if (id) s().notify(`Imported ${file.name} as group "${id}".`);
}

/** Starts or stops group `id` of the level shown (and every group in it). */
export async function setGroupRunning(id: string, run: boolean): Promise<void> {
  const { meta, path } = s();
  if (!meta) return;
  if (run && !(await flushSave())) {
    s().notify('Cannot start the group: the latest changes are not saved.', 'error');
    return;
  }
  try {
    await (run ? api.startGroup(meta.id, [...path, id]) : api.stopGroup(meta.id, [...path, id]));
  } catch (err) {
    report(run ? 'Start' : 'Stop', err);
    return;
  }
  try {
    s().applyStatus(await api.status(meta.id));
  } catch {
    // the status stream catches up
  }
}
