#!/usr/bin/env node
// Scaffolds packages/<name> with the house layout: ESM-only package.json with the source export
// condition, tsconfig, tsup config, README, src/index.ts. Usage: node scripts/new-package.mjs <name> "<description>"
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, description = ''] = process.argv.slice(2);
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node scripts/new-package.mjs <name> "<description>"');
  process.exit(2);
}
const dir = join(process.cwd(), 'packages', name);
if (existsSync(dir)) {
  console.error(`packages/${name} already exists`);
  process.exit(1);
}
mkdirSync(join(dir, 'src'), { recursive: true });
const manifest = {
  name: `@candlelab/${name}`,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  exports: {
    '.': { '@candlelab/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
    './package.json': './package.json',
  },
  main: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'src', '!src/**/*.test.ts'],
  scripts: { build: 'tsup' },
  dependencies: { '@candlelab/core': 'workspace:^' },
  engines: { node: '>=20.11' },
};
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  join(dir, 'tsconfig.json'),
  `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src'], exclude: ['src/**/*.test.ts'] }, null, 2)}\n`,
);
writeFileSync(
  join(dir, 'tsup.config.ts'),
  "import { packageBuildConfig } from '../../scripts/tsup.shared.js';\n\nexport default packageBuildConfig();\n",
);
writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
writeFileSync(join(dir, 'README.md'), `# @candlelab/${name}\n\n${description}\n\n## Example\n\n\`\`\`ts\n\`\`\`\n`);
console.log(`created packages/${name}; run: pnpm install`);
