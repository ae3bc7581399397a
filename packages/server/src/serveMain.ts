import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CandlelabError } from '@candlelab/core';
import { type CandlelabServer, createServer } from './createServer.js';
import { loadServeConfig } from './serveConfig.js';

const USAGE = `Usage: candlelab-serve [--config <file>]

Runs candlelab serve: promoted models on live candles, the HTTP API and the dashboard,
the scheduled retrain. Stops cleanly on SIGINT or SIGTERM (the running tick and retrain finish,
the log and the stores are closed).

Options:
  -c, --config <file>  the serve YAML file (default: "serve.yaml")
  -v, --version        print the version
  -h, --help           show this help

Exit codes: 0 stopped by a signal, 1 unexpected error, 2 usage or config error.
`;

/** Streams and process hooks of {@link serveMain} (the real process by default). */
export interface ServeMainIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Subscribes to the stop signals; returns an unsubscribe function. */
  onSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

const processIo: ServeMainIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  onSignal: (handler) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

/**
 * The `candlelab-serve` bin (also run by `candlelab serve`): loads the serve config, listens,
 * catches up on every series, polls each at its bar closes and runs the retrain schedule until
 * SIGINT/SIGTERM, then closes everything and resolves with exit code 0. A signal during start-up
 * stops it as soon as the running step ends. Config errors resolve with 2, anything else with 1.
 */
export async function serveMain(argv: readonly string[], io: ServeMainIo = processIo): Promise<number> {
  let values: { config: string; help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c', default: 'serve.yaml' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
    }));
  } catch (error) {
    io.stderr.write(`candlelab-serve: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    io.stdout.write(`${version}\n`);
    return 0;
  }
  let stopSignal: NodeJS.Signals | undefined;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const unsubscribe = io.onSignal((signal) => {
    if (stopSignal !== undefined) {
      io.stderr.write(`candlelab-serve: second ${signal}, exiting without a clean stop\n`);
      process.exit(1);
    }
    stopSignal = signal;
    io.stderr.write(`candlelab-serve: ${signal}, stopping (finishing the running tick)\n`);
    wake();
  });
  let server: CandlelabServer | undefined;
  try {
    const config = loadServeConfig(values.config);
    server = await createServer(config);
    if (stopSignal === undefined) {
      const address = await server.listen();
      io.stderr.write(`candlelab-serve: listening on ${address} (config ${values.config})\n`);
    }
    // Catch up on every series (back-fill after downtime), then poll at each bar close.
    if (stopSignal === undefined) await server.runtime.tickAll();
    if (stopSignal === undefined) {
      server.runtime.startSchedule();
      const next = server.runtime.retrain?.nextRunAt;
      io.stderr.write(
        `candlelab-serve: caught up; polling ${server.runtime.loops.length} series at their bar closes${next === undefined ? '' : `, next retrain ${new Date(next).toISOString()}`}\n`,
      );
    }
    await stopped;
    await server.close();
    io.stderr.write('candlelab-serve: stopped\n');
    return 0;
  } catch (error) {
    await server?.close().catch(() => undefined);
    io.stderr.write(`candlelab-serve: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof CandlelabError && error.code === 'CONFIG' ? 2 : 1;
  } finally {
    unsubscribe();
  }
}
