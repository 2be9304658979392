export * from './assessment.ts';
export * from './cluster.ts';
export * from './errors.ts';
export * from './health.ts';
export * from './numbers.ts';
export * from './parse.ts';
export * from './signals.ts';
export * from './store.ts';
