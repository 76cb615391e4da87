/**
 * Parameters, sensitive values and controller services in the canvas, in real Chromium against the real server:
 * contexts and parameters made in the Parameters page, a binding, a `#{...}` reference typed with the suggestion
 * list and its resolved value, a secret set that the page never holds again (DOM or network), an import that asks
 * for its missing secrets, and (when the server has them) services added from the palette, referenced from a
 * processor, refused a disable while referenced.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import {
  apiJson,
  byTestId,
  ensureUiBuilt,
  launchChromium,
  type SluiceProcess,
  startSluice,
  until,
  withScreenshot,
} from './harness';

let server: SluiceProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const SECRET = 'Tr0ub4dor-and-3-horses';

function baseFlow(id: string): Flow {
  return {
    schemaVersion: 2,
    id,
    name: id,
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        name: 'Generate',
        position: { x: 100, y: 40 },
        config: { content: 'plain' },
        schedule: { period: '1s' },
      },
      {
        id: 'log',
        type: 'LogAttribute',
        name: 'Log',
        position: { x: 100, y: 320 },
        config: { logLevel: 'none' },
        autoTerminate: ['success'],
      },
    ],
    connections: [{ id: 'gen-log', source: 'gen', relationships: ['success'], target: 'log' }],
  } as Flow;
}

/** A page on flow `id`, recording the body of every API answer (the event stream aside: it never ends). */
async function openFlow(id: string): Promise<{ page: Page; bodies: Promise<string>[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const bodies: Promise<string>[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/api/') && !r.url().includes('/api/events')) bodies.push(r.text().catch(() => ''));
  });
  await page.goto(`${server.url}/#/flows/${id}`);
  await byTestId(page, 'proc-gen').waitFor();
  return { page, bodies };
}

const selectProcessor = (page: Page, id: string) =>
  page.locator(`.react-flow__node[data-id="${id}"] .proc-title`).click();

async function savedFlow(id: string, check: (f: Flow) => boolean, what: string): Promise<Flow> {
  const found = await until(what, async () => {
    const f = await apiJson<Flow>(server, 'GET', `/flows/${id}`);
    return check(f) ? f : undefined;
  });
  return found!;
}

describe('parameters in the canvas', { timeout: 90_000 }, () => {
  test('contexts, a binding, a reference from the suggestion list, a secret that never comes back', async () => {
    const id = 'params-ui';
    await apiJson(server, 'POST', '/flows', baseFlow(id));
    const { page, bodies } = await openFlow(id);
    await withScreenshot(page, 'parameters-panel', async () => {
      // The Parameters page from the flow's panel: a context with a plain and a sensitive parameter.
      await byTestId(page, 'flow-context-parameters').click();
      await byTestId(page, 'parameters-panel').waitFor();
      await byTestId(page, 'param-context-new-id').fill('dev');
      await byTestId(page, 'param-context-add').click();
      await byTestId(page, 'param-context-dev').waitFor();
      await byTestId(page, 'param-dev-new-name').fill('greeting');
      await byTestId(page, 'param-dev-add').click();
      await byTestId(page, 'param-dev-greeting-value').fill('hello world');
      await byTestId(page, 'param-dev-greeting-value').press('Enter');
      await byTestId(page, 'param-dev-new-name').fill('pw');
      await byTestId(page, 'param-dev-add').click();
      await byTestId(page, 'param-dev-pw-sensitive').check();
      expect(await byTestId(page, 'param-dev-pw-set').textContent()).toBe('not set');
      expect(await byTestId(page, 'param-dev-pw-secret').getAttribute('type')).toBe('password');
      await byTestId(page, 'param-dev-pw-secret').fill(SECRET);
      await byTestId(page, 'param-dev-pw-secret-set').click();
      // The field is emptied at once; once saved, the page knows only that a value is set.
      expect(await byTestId(page, 'param-dev-pw-secret').inputValue()).toBe('');
      await until(
        'the secret to be saved',
        async () => (await byTestId(page, 'param-dev-pw-set').textContent()) === 'set',
      );

      // Bind it to the flow.
      await byTestId(page, 'side-view-back').click();
      await byTestId(page, 'flow-context').selectOption('dev');

      // Reference it from a processor's property through the suggestion list (keyboard only).
      await selectProcessor(page, 'gen');
      await byTestId(page, 'processor-panel').waitFor();
      const content = byTestId(page, 'field-config-content');
      await content.fill('say ');
      await content.press('End');
      await content.pressSequentially('#{');
      const list = byTestId(page, 'suggest-field-config-content');
      await list.waitFor();
      expect(await list.locator('[role="option"]').allTextContents()).toEqual([
        expect.stringContaining('greeting'),
        expect.stringContaining('pw'),
      ]);
      // The secret's value is not offered, only that it is sensitive.
      expect(await list.textContent()).not.toContain(SECRET);
      await content.press('ArrowDown');
      expect(await byTestId(page, 'suggest-option-pw').getAttribute('aria-selected')).toBe('true');
      await content.press('ArrowUp');
      await content.pressSequentially('gr');
      expect(await list.locator('[role="option"]').count()).toBe(1);
      await content.press('Enter');
      expect(await content.inputValue()).toBe('say #{greeting}');
      expect(await list.count()).toBe(0);
      await until('the resolved value', async () =>
        (await byTestId(page, 'resolved-field-config-content').textContent())?.includes('say hello world'),
      );
      // An unknown name is flagged, a sensitive one masked.
      await content.fill('#{nope} #{pw}');
      const resolved = byTestId(page, 'resolved-field-config-content');
      await until('the unknown name to be flagged', async () =>
        (await resolved.textContent())?.includes('not defined'),
      );
      expect(await resolved.locator('.param-unknown').textContent()).toContain('#{nope}');
      expect(await resolved.locator('.param-masked').textContent()).toBe('••••');
      await content.fill('say #{greeting}');
      await content.press('Tab');

      const saved = await savedFlow(
        id,
        (f) =>
          f.parameterContext === 'dev' &&
          (f.processors.find((p) => p.id === 'gen')!.config as { content?: string }).content === 'say #{greeting}',
        'the binding and the reference to be saved',
      );
      const pw = saved.parameterContexts![0]!.parameters!.find((p) => p.name === 'pw')!;
      expect(pw).toEqual({ name: 'pw', sensitive: true, set: true });
      expect(JSON.stringify(saved)).not.toContain(SECRET);

      // "Referenced by" names the processor; a click selects it.
      await page.locator('.react-flow__pane').click({ position: { x: 600, y: 600 } });
      await byTestId(page, 'flow-context-parameters').click();
      const refs = byTestId(page, 'param-dev-greeting-refs');
      await refs.getByRole('button', { name: 'Generate' }).click();
      await byTestId(page, 'processor-panel').waitFor();
      expect(await byTestId(page, 'field-config-content').inputValue()).toBe('say #{greeting}');

      // The secret is nowhere in the page: not in its markup, not in any field, not in any answer it received.
      const html = await page.content();
      expect(html).not.toContain(SECRET);
      const fieldValues = await page.$$eval('input, textarea', (fields) =>
        fields.map((f) => (f as unknown as { value: string }).value),
      );
      expect(fieldValues.join('\n')).not.toContain(SECRET);
      expect(bodies.length).toBeGreaterThan(3);
      const answers = await Promise.all(bodies);
      expect(answers.some((b) => b.includes('"set":true'))).toBe(true);
      expect(answers.join('\n')).not.toContain(SECRET);
      await page.context().close();
    });
  });

  test('an import without its secrets asks for them; once given, the flow starts', async () => {
    const id = 'params-import';
    const file = path.join(tmpdir(), `${id}-${process.pid}.json`);
    await writeFile(
      file,
      JSON.stringify({
        ...baseFlow(id),
        parameterContexts: [
          {
            id: 'prod',
            parameters: [
              { name: 'greeting', value: 'hi' },
              { name: 'api.token', sensitive: true, description: 'not in the file' },
            ],
          },
        ],
        parameterContext: 'prod',
      }),
    );
    await apiJson(server, 'POST', '/flows', { ...baseFlow('params-other'), id: 'params-other' });
    const { page, bodies } = await openFlow('params-other');
    await withScreenshot(page, 'parameters-import', async () => {
      await byTestId(page, 'import-file').setInputFiles(file);
      const dialog = byTestId(page, 'sensitive-import-dialog');
      await dialog.waitFor();
      // Saved, but invalid: starting is refused until the value is given.
      const refused = await fetch(`${server.url}/api/flows/${id}/start`, {
        method: 'POST',
        headers: { 'X-Sluice-Request': '1' },
      });
      expect(refused.status).toBe(409);
      const field = byTestId(page, 'sensitive-import-prod-api.token');
      expect(await field.getAttribute('type')).toBe('password');
      await field.fill(SECRET);
      await byTestId(page, 'sensitive-import-save').click();
      await until('the outcome', async () =>
        (await byTestId(page, 'sensitive-import-outcome').textContent())?.includes('valid and can start'),
      );
      const saved = await apiJson<Flow>(server, 'GET', `/flows/${id}`);
      expect(saved.parameterContexts![0]!.parameters![1]).toEqual({
        name: 'api.token',
        sensitive: true,
        set: true,
        description: 'not in the file',
      });
      await apiJson(server, 'POST', `/flows/${id}/start`);
      await until(
        'the flow to run',
        async () => (await apiJson<{ running: boolean }>(server, 'GET', `/flows/${id}/status`)).running,
      );
      await byTestId(page, 'sensitive-import-close').click();
      expect(await dialog.count()).toBe(0);
      expect(await page.content()).not.toContain(SECRET);
      expect((await Promise.all(bodies)).join('\n')).not.toContain(SECRET);
      await apiJson(server, 'POST', `/flows/${id}/stop`);
      await page.context().close();
    });
  });
});

interface ServiceStatusView {
  state: string;
  referencedBy: string[];
}

describe('controller services in the canvas', { timeout: 90_000 }, () => {
  test('a registry added from the palette, chosen in ValidateJSON, refused a disable while referenced', async () => {
    const id = 'services-ui';
    await apiJson(server, 'POST', '/flows', {
      ...baseFlow(id),
      processors: [
        { ...baseFlow(id).processors[0]!, config: { content: '{"a":1}' } },
        {
          id: 'validate',
          type: 'ValidateJSON',
          name: 'Validate',
          position: { x: 100, y: 320 },
          config: {},
          autoTerminate: ['valid', 'invalid'],
        },
      ],
      connections: [{ id: 'gen-validate', source: 'gen', relationships: ['success'], target: 'validate' }],
    });
    const { page } = await openFlow(id);
    await withScreenshot(page, 'services-panel', async () => {
      // From the palette: a JsonSchemaRegistry at the flow's level, its panel open.
      const item = byTestId(page, 'palette-service-JsonSchemaRegistry');
      await item.focus();
      await item.press('Enter');
      await byTestId(page, 'service-panel').waitFor();
      const schemas = byTestId(page, 'field-service-config-schemas');
      await schemas.fill('{"order": {"type": "object", "required": ["a"]}}');
      await byTestId(page, 'service-name').fill('Order schemas');
      await byTestId(page, 'service-name').press('Tab');

      // ValidateJSON's registry property is a choice of the services in scope that provide its kind.
      await selectProcessor(page, 'validate');
      await byTestId(page, 'processor-panel').waitFor();
      const registry = byTestId(page, 'field-config-schemaRegistry');
      expect(await registry.evaluate((e) => e.tagName)).toBe('SELECT');
      await registry.selectOption('json-schema-registry');
      await byTestId(page, 'field-config-schemaName').fill('order');
      await byTestId(page, 'field-config-schemaName').press('Tab');
      await savedFlow(
        id,
        (f) => {
          const config = f.processors.find((p) => p.id === 'validate')!.config as Record<string, unknown>;
          const services = (f as { services?: { id: string; name?: string }[] }).services ?? [];
          return (
            (config.schemaRegistry as { service?: string } | undefined)?.service === 'json-schema-registry' &&
            config.schemaName === 'order' &&
            services.some((s) => s.id === 'json-schema-registry' && s.name === 'Order schemas')
          );
        },
        'the service and the reference to be saved',
      );
      await until(
        'the flow to be valid',
        async () => (await byTestId(page, 'save-status').getAttribute('data-status')) === 'saved',
      );

      // Running: the processor panel shows the referenced service's state.
      await byTestId(page, 'flow-start').click();
      await until(
        'the service state in the processor panel',
        async () => (await byTestId(page, 'field-config-schemaRegistry-state').textContent()) === 'enabled',
      );

      // The Services page: state, "referenced by", a disable refused with the processors named.
      await byTestId(page, 'field-config-schemaRegistry-open').click();
      await byTestId(page, 'service-panel').waitFor();
      const card = 'service-json-schema-registry';
      expect(await byTestId(page, `${card}-state`).textContent()).toBe('enabled');
      expect(await byTestId(page, `${card}-refs`).textContent()).toContain('Validate');
      await byTestId(page, `${card}-disable`).click();
      const refusal = byTestId(page, `${card}-refusal`);
      await refusal.waitFor();
      expect(await refusal.textContent()).toMatch(/validate/i);
      const status = await apiJson<{ services: Record<string, ServiceStatusView> }>(
        server,
        'GET',
        `/flows/${id}/status`,
      );
      expect(status.services['json-schema-registry']!.state).toBe('enabled');

      // With the processor disabled (stopped, then "Disabled" ticked in its panel), disable and enable go
      // through and the badge follows.
      await apiJson(server, 'POST', `/flows/${id}/processors/validate/stop`);
      await byTestId(page, 'side-view-back').click(); // back to the processor's panel it was opened from
      await byTestId(page, 'processor-panel').waitFor();
      await page.getByLabel('Disabled (never started)').check();
      await savedFlow(
        id,
        (f) => f.processors.find((p) => p.id === 'validate')!.disabled === true,
        'the processor disabled',
      );
      await byTestId(page, 'field-config-schemaRegistry-open').click();
      await byTestId(page, 'service-panel').waitFor();
      await byTestId(page, `${card}-disable`).click();
      await until(
        'the disabled state',
        async () => (await byTestId(page, `${card}-state`).textContent()) === 'disabled',
      );
      expect(await refusal.count()).toBe(0);
      // The definition keeps it disabled: the page's next save does not turn it back on.
      await byTestId(page, 'service-name').fill('Order schemas (off)');
      await byTestId(page, 'service-name').press('Tab');
      const off = await savedFlow(
        id,
        (f) => (f as { services?: { name?: string }[] }).services?.[0]?.name === 'Order schemas (off)',
        'the rename to be saved',
      );
      expect((off as { services?: { enabled?: boolean }[] }).services?.[0]?.enabled).toBe(false);
      expect(await byTestId(page, `${card}-state`).textContent()).toBe('disabled');
      await byTestId(page, `${card}-enable`).click();
      await until('the enabled state', async () => (await byTestId(page, `${card}-state`).textContent()) === 'enabled');
      await apiJson(server, 'POST', `/flows/${id}/stop`);
      await page.context().close();
    });
  });
});
