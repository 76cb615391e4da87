/**
 * A three-node (or n-node) nats-server cluster on loopback: each node with JetStream, its own store directory,
 * a free client port and a free cluster port, routes to the others and one cluster name. `ready()` resolves
 * once JetStream answers (a meta leader is elected). Nodes are stopped by PID.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { type NatsServerHandle, startNats } from './nats-server';
import { freePort } from './ports';

export interface NatsClusterHandle {
  nodes: NatsServerHandle[];
  /** Every node's client URL, comma-separated (what a client gets to fail over between them). */
  url: string;
  /** Kills one node (SIGKILL by default); its store directory stays. */
  killNode(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Stops every node and removes the store directories. */
  stop(): Promise<void>;
}

/** Resolves once a JetStream request succeeds through `url` (the cluster has a meta leader), or throws. */
export async function waitForJetStream(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const nc = await connect({ servers: url.split(','), timeout: 2000 }).catch((err) => {
      last = err;
      return undefined;
    });
    if (nc) {
      try {
        const jsm = await nc.jetstreamManager({ timeout: 2000 });
        await jsm.getAccountInfo();
        return;
      } catch (err) {
        last = err;
      } finally {
        await nc.close();
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`JetStream cluster at ${url} not ready after ${timeoutMs} ms: ${(last as Error)?.message}`);
}

export async function startNatsCluster(options: { size?: number; name?: string } = {}): Promise<NatsClusterHandle> {
  const size = options.size ?? 3;
  const clusterName = options.name ?? 'sluice-test';
  const base = await mkdtemp(path.join(tmpdir(), 'sluice-nats-cluster-'));
  const clientPorts: number[] = [];
  const clusterPorts: number[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    clusterPorts.push(await freePort());
  }
  const nodes: NatsServerHandle[] = [];
  try {
    // All at once: a node waits for its routes, and a JetStream cluster needs a quorum to elect a leader.
    const started = await Promise.allSettled(
      clientPorts.map((port, i) => {
        const routes = clusterPorts.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`);
        return startNats({
          port,
          storeDir: path.join(base, `n${i + 1}`),
          args: [
            '-n',
            `n${i + 1}`,
            '--cluster_name',
            clusterName,
            '--cluster',
            `nats://127.0.0.1:${clusterPorts[i]}`,
            '--routes',
            routes.join(','),
          ],
        });
      }),
    );
    for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const url = nodes.map((n) => n.url).join(',');
    await waitForJetStream(url);
    return {
      nodes,
      url,
      killNode: (index, signal = 'SIGKILL') => nodes[index]!.kill(signal),
      async stop() {
        await Promise.allSettled(nodes.map((n) => n.kill()));
        await rm(base, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.kill()));
    await rm(base, { recursive: true, force: true });
    throw err;
  }
}
