import { copyBars } from '@candlelab/core';
import { btcHourly, universeHourly } from '@candlelab/test-utils';
import { describeEnvContract } from '@candlelab/test-utils/envContract';
import { CartPole, cartPoleV1 } from './CartPole.js';
import { NormalizeObservation } from './NormalizeObservation.js';
import { PortfolioEnv } from './PortfolioEnv.js';
import { RecordEpisodeStatistics } from './RecordEpisodeStatistics.js';
import { SizingEnv } from './SizingEnv.js';
import { TimeLimit } from './TimeLimit.js';
import { TradingEnv } from './TradingEnv.js';

const bars = copyBars(btcHourly({ last: 400 }));
const features = new Float64Array(bars.time.length);
for (let i = 1; i < features.length; i++) features[i] = Math.log(bars.close[i]! / bars.close[i - 1]!);
const assets = universeHourly()
  .slice(0, 2)
  .map((b) => copyBars(b, 0, 300));

describeEnvContract('CartPole', () => new CartPole());
describeEnvContract('CartPole-v1', () => cartPoleV1());
describeEnvContract(
  'TradingEnv (targetPosition, logReturn)',
  () => new TradingEnv({ bars, features, featureNames: ['ret1'], window: 8, episodeLength: 50 }),
);
describeEnvContract(
  'TradingEnv (holdBuySell, differentialSharpe)',
  () =>
    new TradingEnv({
      bars,
      features,
      featureNames: ['ret1'],
      actionScheme: 'holdBuySell',
      reward: 'differentialSharpe',
      episodeLength: 40,
    }),
);
describeEnvContract(
  'SizingEnv',
  () =>
    new SizingEnv({
      bars,
      features,
      featureNames: ['ret1'],
      direction: Float64Array.from(features, (f) => Math.sign(f)),
      sizes: [0, 0.5, 1],
      episodeLength: 40,
    }),
);
describeEnvContract('PortfolioEnv', () => new PortfolioEnv({ assets, window: 5, episodeLength: 30 }));
describeEnvContract('TimeLimit(CartPole, 20)', () => new TimeLimit(new CartPole(), 20));
describeEnvContract('NormalizeObservation(CartPole)', () => new NormalizeObservation(new CartPole()), {
  steps: 100,
  reseedReplays: false,
});
describeEnvContract('RecordEpisodeStatistics(CartPole-v1)', () => new RecordEpisodeStatistics(cartPoleV1()));
