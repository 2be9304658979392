import { expect, test } from 'bun:test';
import { DEFAULTS, loadConfig } from '../src/config.ts';
import { AppError } from '../src/models/index.ts';

test('the worker serves its metrics on all interfaces, port 9464, unless told otherwise', () => {
  expect(loadConfig({ HOME: '/h' }).workerMetrics).toEqual({ host: '0.0.0.0', port: 9464 });
  expect(DEFAULTS.workerMetricsPort).toBe(9464);
  expect(
    loadConfig({ HOME: '/h', COPILOT_WORKER_METRICS_PORT: '9100', COPILOT_WORKER_METRICS_HOST: '127.0.0.1' })
      .workerMetrics,
  ).toEqual({ host: '127.0.0.1', port: 9100 });
});

test('COPILOT_WORKER_METRICS_PORT=0 turns the endpoint off (a random port could not be scraped)', () => {
  expect(loadConfig({ HOME: '/h', COPILOT_WORKER_METRICS_PORT: '0' }).workerMetrics).toBeNull();
});

test.each(['70000', '-1', 'ninety', '94.64'])('COPILOT_WORKER_METRICS_PORT=%s is CONFIG_INVALID naming it', (port) => {
  let caught: unknown;
  try {
    loadConfig({ HOME: '/h', COPILOT_WORKER_METRICS_PORT: port });
  } catch (error) {
    caught = error;
  }
  expect(
    caught instanceof AppError ? [caught.code, caught.message.includes('COPILOT_WORKER_METRICS_PORT')] : caught,
  ).toEqual(['CONFIG_INVALID', true]);
});
