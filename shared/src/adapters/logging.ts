// JSON logs through winston. The data path logs only failures and state changes, never one
// line per request, because stdout writes to a pipe block the event loop.
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(level: string, component: string): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component },
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: false }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** A logger that drops everything, for tests and tools. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });
}
