import { describe, expect, it } from 'vitest';
import { CandlelabError } from './errors.js';
import { nodeBuiltin, requireNodeBuiltin } from './nodeBuiltin.js';

describe('nodeBuiltin', () => {
  it("returns Node's module without importing it, undefined for a module the runtime lacks", async () => {
    expect(nodeBuiltin<typeof import('node:path')>('node:path')?.join).toBe((await import('node:path')).join);
    expect(nodeBuiltin('node:no-such-module')).toBeUndefined();
  });

  it('requireNodeBuiltin names the feature and the module when it is missing', () => {
    const error = (() => {
      try {
        requireNodeBuiltin('node:no-such-module', 'PPO.save');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CandlelabError);
    expect((error as CandlelabError).code).toBe('CONFIG');
    expect((error as Error).message).toMatch(/PPO\.save needs Node's node:no-such-module/);
  });
});
