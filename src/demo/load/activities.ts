/** The load's activities: a little real asynchronous work each, no I/O outside the process. */
export interface LoadActivities {
  chargeItem(input: { orderId: string; index: number }): Promise<number>;
  greet(input: { name: string }): Promise<string>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createLoadActivities(): LoadActivities {
  return {
    async chargeItem({ index }) {
      await pause(20);
      return 100 + index;
    },
    async greet({ name }) {
      await pause(5);
      return `hello ${name}`;
    },
  };
}
