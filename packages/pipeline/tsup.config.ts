import { packageBuildConfig } from '../../scripts/tsup.shared.js';

// cli.ts is the `candlelab` bin; tasks.ts is loaded by worker threads of `candlelab retrain`.
export default packageBuildConfig(['index.ts', 'cli.ts', 'tasks.ts'], { platform: 'node' });
