import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedSchemaFiles, renderStrategyReference } from '../scripts/strategyReference.js';
import { strategyJsonSchema } from '../src/strategyConfig.js';

const REGENERATE =
  'out of date with the zod schema: run `pnpm --filter @candlelab/pipeline schema` and commit the result';

describe('generated strategy schema files', () => {
  for (const { url, text } of generatedSchemaFiles()) {
    const path = fileURLToPath(url);
    it(`${path.split('/').slice(-2).join('/')} is current`, () => {
      // Compared as text: the reference is read by people, so any difference counts.
      expect(readFileSync(url, 'utf8'), `${path} is ${REGENERATE}`).toBe(text);
    });
  }
});

describe('renderStrategyReference', () => {
  const reference = renderStrategyReference(strategyJsonSchema(), { exampleYaml: 'name: x\n', examplePath: 'x.yaml' });

  it('has one section per top-level key of the strategy', () => {
    const keys = Object.keys((strategyJsonSchema() as { properties: object }).properties);
    const sections = [...reference.matchAll(/^## `(\w+)`$/gm)].map((m) => m[1]);
    expect(sections).toEqual(keys);
  });

  it('shows every model kind, sizing kind and env kind as an alternative', () => {
    for (const kind of ['gbdt', 'ensemble', 'nn', 'ppo'])
      expect(reference).toContain(`### \`model\`: \`kind: ${kind}\``);
    expect(reference).toContain('### `sizing`: `kind: ppo`');
    for (const kind of ['trading', 'portfolio']) expect(reference).toContain(`\`model.env\`: \`kind: ${kind}\``);
  });

  it('gives every field of the schema a description', () => {
    // Discriminator rows (`kind: gbdt`) are exempt: the alternative's heading names them.
    const rows = reference.split('\n').filter((line) => line.startsWith('| `') && !/^\| `[^`]+` \| `"/.test(line));
    const undescribed = rows.filter((row) => row.split(' | ').at(-1)!.trim() === '|').map((row) => row.split(' | ')[0]);
    expect(undescribed).toEqual([]);
  });

  it('links the typedoc pages of the packages it composes', () => {
    expect(reference).toContain('[@candlelab/pipeline](api/modules/_candlelab_pipeline.html)');
    expect(reference).toContain('pnpm docs:api');
  });

  it('is deterministic', () => {
    const again = renderStrategyReference(strategyJsonSchema(), { exampleYaml: 'name: x\n', examplePath: 'x.yaml' });
    expect(again).toBe(reference);
  });
});
