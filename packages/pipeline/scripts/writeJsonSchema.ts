// Writes strategy.schema.json (the JSON Schema of strategy YAML files, for editor autocomplete) and
// docs/strategy-reference.md (the reference rendered from it).
// Run: pnpm --filter @candlelab/pipeline schema. test/strategyReference.test.ts checks both files are current.
import { writeFileSync } from 'node:fs';
import { generatedSchemaFiles } from './strategyReference.js';

for (const { url, text } of generatedSchemaFiles()) {
  writeFileSync(url, text);
  console.log(`wrote ${url.pathname}`);
}
