import { packageBuildConfig } from '../../scripts/tsup.shared.js';

// aggregate.ts: the browser-safe subpath `@candlelab/signals/aggregate` (no webhook server).
export default packageBuildConfig(['index.ts', 'aggregate.ts']);
