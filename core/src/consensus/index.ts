export * from './majority-vote.ts';
export * from './dawid-skene.ts';
export * from './box-fusion.ts';
export * from './span-consensus.ts';
export * from './shape-consensus.ts';
