import { describe } from 'vitest';
import { MemoryQueue } from './memory-queue';
import { queueContract } from './queue-contract';

describe('MemoryQueue: the queue contract', () => {
  let n = 0;
  queueContract(() => ({ make: async () => new MemoryQueue(`c${++n}`) }));
});
