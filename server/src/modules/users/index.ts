export { hashPassword, verifyPassword } from './password.ts';
export { endSession, endUserSessions } from './session-end.ts';
export { usersRepo } from './users.repository.ts';
export { usersRoutes } from './users.routes.ts';
export { bootstrapAdmin, newUserDoc, placeholderAnnotator, promoteUserLevel, toUser } from './users.service.ts';
