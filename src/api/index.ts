export { type Api, type ApiOptions, createApi } from './app.ts';
export { ROUTES } from './routes.ts';
export { serveApi } from './server.ts';
