export { registerLiveSocket } from './live.socket.ts';
export { registerShadowSocket } from './shadow.socket.ts';
