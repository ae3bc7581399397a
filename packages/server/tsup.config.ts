import { packageBuildConfig } from '../../scripts/tsup.shared.js';

// bin.ts is the `candlelab-serve` bin (run by `candlelab serve` as a child process).
export default packageBuildConfig(['index.ts', 'bin.ts'], { platform: 'node' });
