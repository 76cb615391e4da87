import { describe, expect, test } from 'vitest';
import { createAppStore } from './index';
import { DEFAULT_HEARTBEAT_MS, LATE_AFTER_HEARTBEATS } from './status-slice';

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

describe('liveness', () => {
  const connected = (at = 1000) => {
    const store = createAppStore();
    store.getState().setLive(true, at);
    return store;
  };

  test('late until the stream first connects, live once it does, offline when it fails', () => {
    const store = createAppStore();
    expect(store.getState().liveness).toBe('late');
    store.getState().setLive(true, 1000);
    expect(store.getState().liveness).toBe('live');
    store.getState().setLive(false);
    expect(store.getState().liveness).toBe('offline');
  });

  test(`late after ${LATE_AFTER_HEARTBEATS} heartbeat intervals without a message, live again with the next one`, () => {
    const store = connected(1000);
    const late = LATE_AFTER_HEARTBEATS * DEFAULT_HEARTBEAT_MS;
    store.getState().checkLiveness(1000 + late);
    expect(store.getState().liveness).toBe('live');
    store.getState().noteMessage(1000 + late); // a status or a heartbeat
    store.getState().checkLiveness(1000 + 2 * late);
    expect(store.getState().liveness).toBe('live');
    store.getState().checkLiveness(1000 + 2 * late + 1);
    expect(store.getState().liveness).toBe('late');
    store.getState().noteMessage(1000 + 3 * late, DEFAULT_HEARTBEAT_MS);
    expect(store.getState().liveness).toBe('live');
  });

  test("the server's heartbeat interval sets the threshold", () => {
    const store = connected(0);
    store.getState().noteMessage(0, 10_000);
    store.getState().checkLiveness(20_000);
    expect(store.getState().liveness).toBe('live');
    store.getState().checkLiveness(25_001);
    expect(store.getState().liveness).toBe('late');
  });

  test('a failed stream stays offline: silence does not make it late, a late message does not make it live', () => {
    const store = connected(0);
    store.getState().setLive(false);
    store.getState().checkLiveness(60_000);
    store.getState().noteMessage(60_000);
    expect(store.getState()).toMatchObject({ liveness: 'offline', offline: true });
    store.getState().setLive(true, 61_000);
    expect(store.getState()).toMatchObject({ liveness: 'live', offline: false, live: true });
  });
});
