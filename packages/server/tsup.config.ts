import { packageBuildConfig } from '../../scripts/tsup.shared.js';

export default packageBuildConfig();
