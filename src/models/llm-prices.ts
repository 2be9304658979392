import { type } from 'arktype';

/** USD per million tokens of one model, input and output (configuration: COPILOT_LLM_PRICES). */
export const ModelPrice = type({
  input_per_million_usd: 'number >= 0',
  output_per_million_usd: 'number >= 0',
  '+': 'reject',
});
export type ModelPrice = typeof ModelPrice.infer;

/** Model id (a foundation id, or a full inference-profile id such as `us.…`) → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * The price of a model id: the exact id, else the id without its inference-profile prefix (`us.`, `eu.`, `global.`,
 * `apac.`…), so one foundation-id entry prices every geography. Null: no price configured.
 */
export function priceOf(table: PriceTable, modelId: string): ModelPrice | null {
  const exact = table[modelId];
  if (exact) return exact;
  const foundation = /^[a-z-]+\.(.+\..+)$/.exec(modelId)?.[1];
  return (foundation && table[foundation]) || null;
}

/** Estimated USD cost of one call from its token counts; 0 when the model has no price. */
export function costOf(input: {
  table: PriceTable;
  modelId: string;
  inputTokens: number;
  outputTokens: number;
}): number {
  const price = priceOf(input.table, input.modelId);
  if (price === null) return 0;
  return (input.inputTokens * price.input_per_million_usd + input.outputTokens * price.output_per_million_usd) / 1e6;
}
