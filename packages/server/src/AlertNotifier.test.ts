import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../test/webhookSink.js';
import { AlertNotifier, type HealthAlert } from './AlertNotifier.js';

let sinks: WebhookSink[] = [];
afterEach(async () => {
  for (const sink of sinks) await sink.close();
  sinks = [];
});

const alert = (subject: string, time = 0): HealthAlert => ({
  kind: 'drift',
  severity: 'critical',
  subject,
  message: '40% of the columns drifted',
  time,
  details: { columns: ['rsi_14'] },
});

describe('AlertNotifier', () => {
  it('posts JSON, Slack and Telegram bodies to local sinks', async () => {
    sinks = [await startWebhookSink(), await startWebhookSink(), await startWebhookSink()];
    const notifier = new AlertNotifier({
      sinks: [
        { url: sinks[0]!.url, format: 'json' },
        { url: sinks[1]!.url, format: 'slack' },
        { url: sinks[2]!.url, format: 'telegram', chatId: '42' },
      ],
    });
    expect(await notifier.notify(alert('m1'))).toBe(true);
    expect(sinks[0]!.received).toEqual([alert('m1')]);
    expect(sinks[1]!.received).toEqual([{ text: '[CRITICAL] drift — m1: 40% of the columns drifted' }]);
    expect(sinks[2]!.received).toEqual([{ chat_id: '42', text: '[CRITICAL] drift — m1: 40% of the columns drifted' }]);
    expect(notifier.stats).toEqual({ sent: 3, deduplicated: 0, rateLimited: 0, failed: 0 });
  });

  it('de-duplicates the same kind and subject within dedupMs, and rate-limits per sink', async () => {
    sinks = [await startWebhookSink()];
    let now = 0;
    const notifier = new AlertNotifier({
      sinks: [{ url: sinks[0]!.url, format: 'json' }],
      dedupMs: 1000,
      maxPerMinute: 2,
      now: () => now,
    });
    await notifier.notify(alert('m1'));
    await notifier.notify(alert('m1'));
    now = 1000;
    await notifier.notify(alert('m1')); // dedup window passed
    await notifier.notify(alert('m2')); // third in the minute: rate limited
    now = 61_000;
    await notifier.notify(alert('m3'));
    expect(sinks[0]!.received.map((a) => (a as HealthAlert).subject)).toEqual(['m1', 'm1', 'm3']);
    expect(notifier.stats).toEqual({ sent: 3, deduplicated: 1, rateLimited: 1, failed: 0 });
    expect(notifier.recent).toHaveLength(5);
  });

  it('counts a failing sink without throwing', async () => {
    sinks = [await startWebhookSink()];
    sinks[0]!.status = 500;
    const errors: string[] = [];
    const notifier = new AlertNotifier({
      sinks: [{ url: sinks[0]!.url, format: 'json' }],
      onError: (url) => errors.push(url),
    });
    expect(await notifier.notify(alert('m1'))).toBe(false);
    expect(notifier.stats.failed).toBe(1);
    expect(errors).toEqual([sinks[0]!.url]);
  });
});
