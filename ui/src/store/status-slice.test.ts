import { expect, test } from 'vitest';
import { createAppStore } from './index';

test('the stream is "offline" only once it failed, not while it first connects, and not after it is back', () => {
  const store = createAppStore();
  expect(store.getState()).toMatchObject({ live: false, offline: false });
  store.getState().setLive(true);
  expect(store.getState()).toMatchObject({ live: true, offline: false });
  store.getState().setLive(false);
  expect(store.getState()).toMatchObject({ live: false, offline: true });
  store.getState().setLive(true);
  expect(store.getState()).toMatchObject({ live: true, offline: false });
});

test('a failure before the first connection (server down at load) is offline too', () => {
  const store = createAppStore();
  store.getState().setLive(false);
  expect(store.getState().offline).toBe(true);
});
