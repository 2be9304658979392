import { proxyActivities, sleep } from '@temporalio/workflow';
import type { LoadActivities } from './activities.ts';

/**
 * The monitored cluster's application: three shapes of real work, so the copilot is judged on more than one kind
 * of progress. Activity-heavy (an order charges each item), timer-heavy (a reminder sleeps) and a one-step greeting.
 */

const { chargeItem, greet } = proxyActivities<LoadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

export interface OrderInput {
  orderId: string;
  items: number;
}

export async function orderWorkflow(input: OrderInput): Promise<number> {
  let charged = 0;
  for (let index = 0; index < input.items; index++) {
    charged += await chargeItem({ orderId: input.orderId, index });
  }
  return charged;
}

export interface ReminderInput {
  delayMs: number;
}

export async function reminderWorkflow(input: ReminderInput): Promise<string> {
  await sleep(input.delayMs);
  return 'reminded';
}

export interface GreetInput {
  name: string;
}

export async function greetWorkflow(input: GreetInput): Promise<string> {
  return greet(input);
}
