import { existsSync, readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { type CommandContext, outputOf, positiveInteger, withOutputOptions } from './commonOptions.js';
import { EXIT } from './reportError.js';
import { formatTable, type Output, print } from './terminal.js';

/** The port `candlelab serve` listens on when its config sets none (`server.port` of @candlelab/server). */
export const DEFAULT_SERVE_PORT = 8080;
/** The environment variable `candlelab health` reads the API token from. */
export const API_TOKEN_ENV = 'CANDLELAB_API_TOKEN';

/** The parts of `/health` (the server's `HealthReport`) this command reads. */
interface HealthBody {
  status: 'ok' | 'degraded' | 'down';
  time: number;
  series: Array<{
    symbol: string;
    timeframe: string;
    lastBarTime: number;
    staleBars: number;
    gaps: number;
    errorRate: number;
    lastError: string | null;
  }>;
  models: Array<{
    id: string;
    symbol: string;
    timeframe: string;
    version: number;
    suspended: boolean;
    drift: {
      rows: number;
      driftedFraction: number;
      drifting: boolean;
      worst: Array<{ name: string; psi: number }>;
    } | null;
    performance: {
      liveTrades: number;
      liveWinRate: number | null;
      backtestWinRate: number | null;
      significant: boolean;
    } | null;
  }>;
  alerts?: { sent: number; deduplicated: number; rateLimited: number; failed: number; recent: unknown[] };
}

/** Where the server is and its token, from `server.host`, `server.port` and `server.apiToken` of a serve YAML. */
interface ServerAddress {
  url?: string;
  token?: string;
}

/**
 * The server's URL and token from a serve YAML, read as the server reads it (`${NAME}` replaced
 * by the environment variable first; one this shell lacks reads as empty, so a webhook secret
 * set only where the server runs does not matter). A wildcard host is reached on loopback.
 */
async function addressFromConfig(path: string, env: NodeJS.ProcessEnv): Promise<ServerAddress> {
  const [{ parseDocument }, { ConfigError }] = await Promise.all([import('yaml'), import('@candlelab/core')]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = `cannot read the serve config (${(error as NodeJS.ErrnoException).code})`;
    throw new ConfigError(path, [{ reason }], { cause: error });
  }
  const document = parseDocument(text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? ''));
  if (document.errors.length > 0)
    throw new ConfigError(path, [{ reason: document.errors[0]!.message.split('\n')[0]! }]);
  const server = (document.toJS() as { server?: Record<string, unknown> } | null)?.server ?? {};
  const optionalText = (value: unknown) =>
    value === undefined || value === null || value === '' ? undefined : String(value);
  const host = optionalText(server.host) ?? '127.0.0.1';
  const portText = optionalText(server.port);
  const port = portText === undefined ? DEFAULT_SERVE_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new ConfigError(path, [
      { field: 'server.port', reason: `${portText} does not name the server's port: pass --url http://host:port` },
    ]);
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const token = optionalText(server.apiToken);
  return {
    url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`,
    ...(token ? { token } : {}),
  };
}

function isHealthBody(body: unknown): body is HealthBody {
  const b = body as Partial<HealthBody> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    (b.status === 'ok' || b.status === 'degraded' || b.status === 'down') &&
    Array.isArray(b.series) &&
    Array.isArray(b.models)
  );
}

const iso = (ms: number) => (Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString().slice(0, 16) : 'none');
const percent = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** One row per check: freshness and errors per series; model state, drift and performance per model. */
export function healthChecks(
  health: HealthBody,
): Array<{ check: string; subject: string; state: string; detail: string }> {
  const rows = [];
  for (const s of health.series) {
    const subject = `${s.symbol} ${s.timeframe}`;
    rows.push({
      check: 'freshness',
      subject,
      state: s.staleBars === 0 && s.gaps === 0 ? 'ok' : s.staleBars > 0 ? 'stale' : 'gaps',
      detail: `last bar ${iso(s.lastBarTime)}, ${s.staleBars} stale bars, ${s.gaps} gaps`,
    });
    rows.push({
      check: 'errors',
      subject,
      state: s.errorRate === 0 ? 'ok' : 'failing',
      detail: `${percent(s.errorRate)} of recent ticks failed${s.lastError ? `: ${s.lastError}` : ''}`,
    });
  }
  for (const m of health.models) {
    const subject = `${m.id} (${m.symbol} ${m.timeframe})`;
    rows.push({
      check: 'model',
      subject,
      state: m.suspended ? 'suspended' : 'serving',
      detail: `version ${m.version}`,
    });
    const drift = m.drift;
    rows.push({
      check: 'drift',
      subject,
      state: drift === null ? 'unknown' : drift.drifting ? 'drifting' : 'ok',
      detail:
        drift === null
          ? 'no training distribution'
          : `${percent(drift.driftedFraction)} of columns drifted over ${drift.rows} rows${
              drift.worst.length > 0
                ? `; worst ${drift.worst
                    .slice(0, 3)
                    .map((c) => `${c.name} (PSI ${c.psi.toFixed(3)})`)
                    .join(', ')}`
                : ''
            }`,
    });
    const perf = m.performance;
    rows.push({
      check: 'performance',
      subject,
      state: perf === null ? 'pending' : perf.significant ? 'worse' : 'ok',
      detail:
        perf === null
          ? 'not checked yet'
          : `${perf.liveTrades} live trades, win rate ${percent(perf.liveWinRate)} vs ${percent(perf.backtestWinRate)} backtest`,
    });
  }
  return rows;
}

function printHealth(out: Output, url: string, health: HealthBody): void {
  print(out, `status: ${health.status}  (${url}, ${iso(health.time)} UTC)`);
  const rows = healthChecks(health);
  if (rows.length > 0) print(out, `\n${formatTable(rows)}`);
  else print(out, 'no series or models served');
  const a = health.alerts;
  if (a)
    print(
      out,
      `\nalerts: ${a.sent} sent, ${a.deduplicated} de-duplicated, ${a.rateLimited} rate-limited, ${a.failed} failed, ${a.recent.length} recent`,
    );
}

/** A failure to reach or read the server: a message (one JSON document with `--json`), exit 1. */
function fail(out: Output, context: CommandContext, message: string, code: number = EXIT.failure): void {
  if (out.json) print(out, JSON.stringify({ error: { name: 'HealthCheckError', message } }, null, 2));
  else out.stderr.write(`candlelab health: ${message}\n`);
  context.exit(code);
}

/**
 * `candlelab health`: asks a running `candlelab serve` for its `/health` over HTTP (the CLI does not
 * load the server) and prints the status with every check; exits 0 when ok, 1 when degraded, down
 * or unreachable, 2 on bad usage or a refused token.
 */
export function healthCommand(program: Command, context: CommandContext): void {
  const health = program
    .command('health')
    .summary("a running server's health: data freshness, tick errors, model drift and performance")
    .description(
      `Asks a running candlelab serve for GET /health and prints its status and checks. The URL defaults to server.host and server.port of the serve config (when the file exists), else http://127.0.0.1:${DEFAULT_SERVE_PORT}; the API token comes from --token, else $${API_TOKEN_ENV}, else server.apiToken of the serve config. Exits 0 when the status is ok, 1 when it is degraded or down or no server answers, 2 on bad usage or a refused token.`,
    )
    .option('--url <url>', 'the server, e.g. http://127.0.0.1:8080 (default: from the serve config)')
    .option(
      '-c, --config <file>',
      'the serve YAML to read server.host, server.port and server.apiToken from',
      'serve.yaml',
    )
    .option('--token <token>', `the API token (default: $${API_TOKEN_ENV}, else the serve config's server.apiToken)`)
    .option('--timeout <ms>', 'how long to wait for the server', positiveInteger, 5000);
  withOutputOptions(health).action(async (options, command) => {
    const out = outputOf(context.streams, options);
    const configGiven = command.getOptionValueSource('config') === 'cli';
    const fromConfig =
      configGiven || existsSync(options.config) ? await addressFromConfig(options.config, process.env) : {};
    let base = options.url ?? fromConfig.url ?? `http://127.0.0.1:${DEFAULT_SERVE_PORT}`;
    let url: URL;
    try {
      url = new URL('health', base.endsWith('/') ? base : `${base}/`);
    } catch (error) {
      const { InvalidParameterError } = await import('@candlelab/core');
      throw new InvalidParameterError('--url', base, `not a URL (e.g. http://127.0.0.1:${DEFAULT_SERVE_PORT})`, {
        cause: error,
      });
    }
    base = url.origin;
    const token = options.token ?? process.env[API_TOKEN_ENV] ?? fromConfig.token;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(options.timeout),
      });
    } catch (error) {
      const { cause: inner } = error as { cause?: { code?: string; message?: string } };
      const cause = inner?.code ?? inner?.message ?? (error as Error).name;
      const reason =
        cause === 'TimeoutError' ? `no answer within ${options.timeout} ms` : `no server answers (${cause})`;
      fail(out, context, `${reason} at ${base}: is candlelab serve running? Pass --url to ask another server.`);
      return;
    }
    if (response.status === 401) {
      fail(
        out,
        context,
        `${base} refused the API token${token ? '' : ' (none was given)'}: pass --token or set ${API_TOKEN_ENV}`,
        EXIT.usage,
      );
      return;
    }
    const body: unknown = await response.json().catch(() => undefined);
    if ((response.status !== 200 && response.status !== 503) || !isHealthBody(body)) {
      fail(out, context, `${url.href} answered ${response.status} without a health report: is it candlelab serve?`);
      return;
    }
    if (out.json) print(out, JSON.stringify(body, null, 2));
    else printHealth(out, base, body);
    context.exit(body.status === 'ok' ? EXIT.ok : EXIT.failure);
  });
}
