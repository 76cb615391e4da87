import pino from 'pino';

/** The process logger: JSON lines on stderr (stdout is kept for command output), level from LOG_LEVEL. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): pino.Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}
