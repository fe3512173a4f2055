export * from './label-config.ts';
export * from './ls-coords.ts';
export * from './ls-protocol.ts';
export * from './ls-reply.ts';
export * from './native-reply.ts';
export * from './uncertainty.ts';
export * from './model-quality.ts';
export * from './ls-webhook.ts';
