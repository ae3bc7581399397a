export {
  btcHourly,
  type FixtureBarsOptions,
  fixturePath,
  loadFixtureBars,
  readFixture,
  universeDataYaml,
  universeHourly,
} from './fixtures.js';
export { portReachable } from './portReachable.js';
export { expectArraysClose, expectClose, firstMismatch, type Tolerance } from './tolerance.js';
