export * from './label-config.ts';
export * from './ls-coords.ts';
export * from './ls-protocol.ts';
export * from './ls-reply.ts';
export * from './native-reply.ts';
