import { packageBuildConfig } from '../../scripts/tsup.shared.js';

// cli.ts is the `candlelab` bin. Workspace packages stay external: each command imports them
// (and through them ccxt, DuckDB, TensorFlow.js, BullMQ, pg) only when it runs.
export default packageBuildConfig(['index.ts', 'cli.ts'], { platform: 'node' });
