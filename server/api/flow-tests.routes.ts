/**
 * Flow tests over HTTP, for the canvas: read (viewer) and replace (admin, as editing the flow) a flow's test
 * file, and run it (operator) in process against the flow's current saved definition with the server's
 * parameters. A run answers per case pass/fail with expected vs actual (server/flow-tests/report.ts).
 */
import { Router } from 'express';
import type { ResolvedFlow } from '../../flows/flow-schema';
import { loadFlowTests } from '../flow-tests/load';
import { prepareCase } from '../flow-tests/prepare-flow';
import { counts, type FlowTestRunAnswer } from '../flow-tests/report';
import { runFlowTests } from '../flow-tests/run-file';
import { readStoredTests, writeStoredTests } from '../flow-tests/stored-tests';
import type { FlowManager } from '../runtime/flow-manager';
import type { ValidationIssue } from '../validation/ajv';
import { validateFlow } from '../validation/flow-validator';
import { HttpError } from './http-errors';
import { jsonBody } from './request';
import { allow } from './roles';

export function flowTestRoutes(manager: FlowManager, flowsDir: string): Router {
  const router = Router();
  const { registry, allowedDirs = [], authenticated = false, parameters } = manager.options;
  /** Flows whose tests run now: one run per flow at a time. */
  const running = new Set<string>();

  /** The flow's definition as saved and resolved (404 for no such flow, 409 when it does not validate). */
  const currentFlow = (id: string): ResolvedFlow => {
    const json = manager.get(id); // 404 when absent
    const live = manager.engine(id)?.flow;
    if (live) return structuredClone(live);
    const check = validateFlow(json, registry, { allowedDirs, authenticated, parameters, registerSecrets: false });
    if (!check.ok) throw new HttpError(409, `flow "${id}" does not validate: its tests cannot run`, check.issues);
    return check.resolved;
  };

  const storedTests = async (id: string) => {
    manager.get(id); // 404 when the flow does not exist
    const json = await readStoredTests(flowsDir, id);
    if (json === undefined) throw new HttpError(404, `flow "${id}" has no tests`);
    return json;
  };

  router.get('/flows/:id/tests', allow('viewer'), async (req, res) => {
    res.json(await storedTests(req.params.id));
  });

  router.put('/flows/:id/tests', allow('admin'), async (req, res) => {
    const id = req.params.id;
    manager.get(id);
    const body = jsonBody(req);
    const loaded = await loadFlowTests(body, undefined);
    if (!loaded.ok) throw new HttpError(400, 'invalid flow tests', loaded.issues);
    // Places the flow lacks are named now, when the flow validates (an invalid flow is checked at run time).
    let flow: ResolvedFlow | undefined;
    try {
      flow = currentFlow(id);
    } catch {
      flow = undefined;
    }
    if (flow) {
      const issues: ValidationIssue[] = [];
      for (const [i, testCase] of loaded.value.doc.cases.entries()) {
        const prepared = prepareCase(flow, testCase, `/cases/${i}`, registry);
        if (!prepared.ok) issues.push(...prepared.issues);
      }
      if (issues.length > 0) throw new HttpError(400, 'invalid flow tests', issues);
    }
    await writeStoredTests(flowsDir, id, body);
    res.json(body);
  });

  router.post('/flows/:id/tests/run', allow('operator'), async (req, res) => {
    const id = req.params.id;
    const json = await storedTests(id);
    const flow = currentFlow(id);
    if (running.has(id)) throw new HttpError(409, `the tests of flow "${id}" are running already`);
    running.add(id);
    try {
      const loaded = await loadFlowTests(json, undefined);
      const result = loaded.ok
        ? await runFlowTests(flow, loaded.value, id, { registry, allowedDirs, ...(parameters && { parameters }) })
        : { file: id, flowId: id, cases: [], issues: loaded.issues };
      const { passed, failed } = counts([result]);
      res.json({ ...result, passed, failed } satisfies FlowTestRunAnswer);
    } finally {
      running.delete(id);
    }
  });

  return router;
}
