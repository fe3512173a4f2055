export * from './schema.ts';
export * from './parse.ts';
export * from './helpers.ts';
export { HARD_CASE_HEADING, LANG_MARKER, type HardCase } from './markdown.ts';
