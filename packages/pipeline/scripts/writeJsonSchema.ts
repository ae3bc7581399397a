// Writes strategy.schema.json (the JSON Schema of strategy YAML files, for editor autocomplete).
// Run: pnpm --filter @candlelab/pipeline schema. A test checks the committed file is current.
import { writeFileSync } from 'node:fs';
import { strategyJsonSchema } from '../src/strategyConfig.js';

const target = new URL('../strategy.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(strategyJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
