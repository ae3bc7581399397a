import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@candlelab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServeConfig, parseServeConfig } from './serveConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-serve-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const minimal = `server: { apiToken: \${TOKEN} }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
`;

describe('serve config', () => {
  it('fills every default, expands environment variables and resolves paths from the file', () => {
    const path = join(dir, 'serve.yaml');
    writeFileSync(path, minimal);
    const config = loadServeConfig(path, { TOKEN: 'a-token-of-16-chars' });
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8080,
      apiToken: 'a-token-of-16-chars',
      bodyLimitBytes: 65_536,
      logLevel: 'info',
    });
    expect(config.registry).toBe(join(dir, 'models'));
    expect(config.stages).toEqual(['mature']);
    expect(config.store).toEqual({ kind: 'duckdb', path: join(dir, '.candlelab/candles.duckdb') });
    expect(config.log).toEqual({ kind: 'duckdb', path: join(dir, '.candlelab/serve.duckdb') });
    expect(config.exchange).toEqual({ id: 'binance', maxRetries: 5, backoffMs: 1000 });
    expect(config.drift).toMatchObject({
      windowBars: 200,
      psiThreshold: 0.25,
      ksPValue: 0.01,
      maxDriftedFraction: 0.1,
      remediate: true,
    });
    expect(config.webhook).toBeUndefined();
    expect(config.alerts).toEqual({ sinks: [], dedupMs: 3_600_000, maxPerMinute: 10 });
  });

  it('keeps PostgreSQL URLs and absolute paths as given', () => {
    const config = parseServeConfig(
      `${minimal}registry: postgres://postgres@127.0.0.1:5432/test\nstore: { kind: postgres }\nlog: { kind: duckdb, path: /var/lib/serve.duckdb }\n`,
      { env: { TOKEN: 'a-token-of-16-chars' }, baseDir: dir },
    );
    expect(config.registry).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(config.store).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://postgres@127.0.0.1:5432/test',
      schema: 'public',
    });
    expect(config.log).toEqual({ kind: 'duckdb', path: '/var/lib/serve.duckdb' });
  });

  it('names an unset environment variable', () => {
    expect(() => parseServeConfig(minimal, { env: {} })).toThrow(/\$\{TOKEN\}: environment variable not set/);
  });

  it('names every bad field', () => {
    let error: unknown;
    try {
      parseServeConfig(
        `server: { apiToken: short, port: 70000 }
series: [{ symbol: BTC/USDT, timeframe: 7x }, { symbol: BTC/USDT, timeframe: 7x }]
stages: [production]
alerts: { sinks: [{ url: 'https://example.com/hook', format: telegram }] }
typo: 1
`,
        { source: 'serve.yaml' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const fields = (error as ConfigError).issues.map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'server.apiToken',
        'server.port',
        'series.0.timeframe',
        'stages.0',
        'alerts.sinks.0.chatId',
        '(root)',
      ]),
    );
    expect((error as ConfigError).message).toMatch(/^serve\.yaml: /);
  });

  it('reports an unreadable file as a ConfigError naming it', () => {
    expect(() => loadServeConfig(join(dir, 'missing.yaml'))).toThrow(
      /missing\.yaml: cannot read the serve config \(ENOENT\)/,
    );
  });
});
