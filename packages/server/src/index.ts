/** The server package's face, for tests and tools that run Nexession in-process. */
export { loadConfig, type Config } from './config.ts';
export { startServer, migrateAll, openDatabase, type Running, type StartOptions } from './app/start.ts';
export { main } from './cli.ts';
