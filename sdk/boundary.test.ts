import { describe, expect, test } from 'vitest';
import { boundaryViolations, checkSource, REPOSITORY_ROOT } from './boundary';

describe('the SDK boundary', () => {
  test('no processor, service or plugin imports past the SDK', () => {
    const found = boundaryViolations(REPOSITORY_ROOT).map((v) => `${v.file}:${v.line} ${v.specifier}: ${v.reason}`);
    expect(found, `imports past the SDK:\n${found.join('\n')}`).toEqual([]);
  });

  test('a processor that imports a server internal fails, in every import form, at its line', () => {
    const source = [
      "import { defineProcessor } from '../../sdk';",
      "import { FlowEngine } from '../../server/engine/flow-engine';",
      "import type { ResolvedFlow } from '../../flows/flow-schema';",
      "export { dispatchHttpListener } from '../../server/runtime/http-listeners';",
      '// import { notAnImport } from "../../server/comment";',
      "const store = await import('../../server/storage/memory-queue');",
      "const ajv = require('../../server/validation/ajv');",
      "import '../../ui/src/main';",
      "import { processorRunner } from '../../sdk/testing';",
      "import { failWith } from '../../sdk/failure';",
      "import { errorText } from '../text';",
      "import { JSON_SCHEMA_REGISTRY } from '../../services/json-schema-registry';",
      "import { createHash } from 'node:crypto';",
      "import jsonata from 'jsonata';",
    ].join('\n');
    const found = checkSource('processors/evil/index.ts', source).map((v) => `${v.line} ${v.specifier}`);
    expect(found).toEqual([
      '2 ../../server/engine/flow-engine',
      '3 ../../flows/flow-schema',
      '4 ../../server/runtime/http-listeners',
      '6 ../../server/storage/memory-queue',
      '7 ../../server/validation/ajv',
      '8 ../../ui/src/main',
      '9 ../../sdk/testing',
      '10 ../../sdk/failure',
    ]);
  });

  test('tests use the SDK test entry, not the server', () => {
    const ok = [
      "import { processorRunner, validateFlow } from '../../sdk/testing';",
      "import { waitFor } from '../../test/helpers/wait-for';",
    ].join('\n');
    expect(checkSource('processors/evil/evil.test.ts', ok)).toEqual([]);
    expect(checkSource('processors/evil/index.ts', ok).map((v) => v.line)).toEqual([1, 2]);
    const past = "import { validateFlow } from '../../server/validation/flow-validator';";
    expect(checkSource('processors/evil/evil.test.ts', past).map((v) => v.line)).toEqual([1]);
  });

  test('a plugin imports its own files and @sluice/sdk, its tests @sluice/sdk/testing', () => {
    const source = [
      "import { defineProcessor } from '@sluice/sdk';",
      "import { geohash } from './geohash';",
      "import { processorRunner } from '@sluice/sdk/testing';",
      "import { errorText } from '../../../processors/text';",
      "import { FlowEngine } from '../../../server/engine/flow-engine';",
    ].join('\n');
    expect(checkSource('plugins/geo/src/index.ts', source).map((v) => v.line)).toEqual([3, 4, 5]);
    expect(checkSource('plugins/geo/test/geo.test.ts', source).map((v) => v.line)).toEqual([4, 5]);
  });

  test('only the registry wiring may name the engine registries', () => {
    const source = "import { ProcessorRegistry } from '../server/engine/processor-registry';";
    expect(checkSource('processors/registry.ts', source)).toEqual([]);
    expect(checkSource('processors/other.ts', source)).toHaveLength(1);
  });
});
