// Child process for killedServe.test.ts: serves the config at argv[2] against the fake exchange at
// argv[3], its clock starting at argv[4] and advanced one hour per tick for argv[5] ticks, printing
// each finished tick, until the parent SIGKILLs it.

import { fakeExchangeClient } from '@candlelab/test-utils/fakeExchange';
import { createServer } from '../src/createServer.js';
import { loadServeConfig } from '../src/serveConfig.js';

const [configPath, url, startText, hoursText] = process.argv.slice(2) as [string, string, string, string];
const start = Number(startText);
const clock = { now: start };
const server = await createServer(loadServeConfig(configPath), {
  exchange: await fakeExchangeClient(url),
  now: () => clock.now,
});
for (let h = 1; h <= Number(hoursText); h++) {
  clock.now = start + h * 3_600_000;
  await server.runtime.tickAll();
  process.stdout.write(`${h}\n`);
}
await server.close();
process.stdout.write('done\n');
