export { authRoutes } from './auth.routes.ts';
export { LoginGuard } from './login-guard.ts';
export { SessionStore } from './sessions.ts';
