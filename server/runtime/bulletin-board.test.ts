import { expect, test } from 'vitest';
import { BulletinBoard } from './bulletin-board';

const source = (id: string) => ({ id, name: `Name ${id}`, type: 'Test' });
const bulletin = (message: string, level: 'error' | 'warn' = 'error') => ({
  time: 1,
  level,
  message,
  flowFileIds: [],
});

test('keeps the newest bulletins up to its capacity, newest first, with ids that only grow', () => {
  const board = new BulletinBoard(3);
  for (let i = 1; i <= 5; i++) board.post('f', source('p'), bulletin(`m${i}`));
  const page = board.query();
  expect(page.bulletins.map((b) => b.message)).toEqual(['m5', 'm4', 'm3']);
  expect(page.bulletins.map((b) => b.id)).toEqual([5, 4, 3]);
  expect(page.lastId).toBe(5);
  expect(board.size).toBe(3);
});

test('filters by flow, processor, level, text and `after`, and says when the limit cut the list', () => {
  const board = new BulletinBoard();
  board.post('a', source('gen'), bulletin('disk full'));
  board.post('a', source('log'), bulletin('slow', 'warn'));
  board.post('b', source('gen'), bulletin('Disk quota'));
  expect(board.query({ flowId: 'a' }).bulletins.map((b) => b.id)).toEqual([2, 1]);
  expect(board.query({ processorId: 'gen' }).bulletins.map((b) => b.id)).toEqual([3, 1]);
  expect(board.query({ level: 'warn' }).bulletins.map((b) => b.id)).toEqual([2]);
  expect(board.query({ text: 'DISK' }).bulletins.map((b) => b.id)).toEqual([3, 1]);
  expect(board.query({ text: 'name log' }).bulletins.map((b) => b.id)).toEqual([2]);
  expect(board.query({ after: 1 }).bulletins.map((b) => b.id)).toEqual([3, 2]);
  const limited = board.query({ limit: 2 });
  expect(limited.bulletins.map((b) => b.id)).toEqual([3, 2]);
  expect(limited.truncated).toBe(true);
  expect(board.query({ limit: 3 }).truncated).toBe(false);
});
