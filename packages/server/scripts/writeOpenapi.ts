// Writes the OpenAPI document of `candlelab serve` to packages/server/openapi.json (committed; a
// test checks it is up to date). Run: pnpm --filter @candlelab/server openapi
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '../src/createServer.js';
import { parseServeConfig } from '../src/serveConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-openapi-'));
try {
  const config = parseServeConfig(
    `server: { apiToken: openapi-document-only, logLevel: silent }
store: { kind: memory }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
webhook: { secret: openapi-document-only }
`,
    { baseDir: dir },
  );
  const server = await createServer(config);
  const document = server.app.swagger();
  await server.close();
  const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  // In the repository's formatting, so that lint passes on the committed file.
  execFileSync(fileURLToPath(new URL('../../../node_modules/.bin/biome', import.meta.url)), [
    'format',
    '--write',
    target,
  ]);
  console.log('wrote packages/server/openapi.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
