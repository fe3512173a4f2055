export * from './schema/common.ts';
export * from './schema/label-schema.ts';
export * from './schema/region.ts';
export * from './schema/project.ts';
export * from './schema/user.ts';
export * from './schema/item.ts';
export * from './contracts/errors.ts';
export * from './contracts/socket.ts';
