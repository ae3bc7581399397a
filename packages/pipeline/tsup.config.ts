import { packageBuildConfig } from '../../scripts/tsup.shared.js';

// tasks.ts and foldTasks.ts are loaded by worker threads (`candlelab retrain`, parallel walk-forward folds).
export default packageBuildConfig(['index.ts', 'tasks.ts', 'foldTasks.ts'], { platform: 'node' });
