import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPostgresLocation, openModelStore } from './openModelStore.js';

describe('isPostgresLocation', () => {
  it('tells a PostgreSQL URL from a folder', () => {
    expect(isPostgresLocation('postgres://postgres@127.0.0.1:5432/test')).toBe(true);
    expect(isPostgresLocation('postgresql://db/models?schema=ml')).toBe(true);
    expect(isPostgresLocation('models')).toBe(false);
    expect(isPostgresLocation('./postgres://x')).toBe(false);
    expect(isPostgresLocation('/srv/postgresql/models')).toBe(false);
  });

  it('is the rule openModelStore follows: a folder opens the file store', async () => {
    const root = mkdtempSync(join(tmpdir(), 'registry-location-'));
    try {
      const store = await openModelStore(root);
      expect(store.location).toBe(root);
      expect(await store.list()).toEqual([]);
      await store.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
