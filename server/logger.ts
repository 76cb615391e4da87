import pino from 'pino';
import pretty from 'pino-pretty';
import { redactDeep } from './secrets/redactor';

/** How log lines are written: one JSON object per line (for machines), or pino-pretty's text (for people). */
export type LogFormat = 'json' | 'pretty';

const FORMATS: readonly string[] = ['json', 'pretty'];

/**
 * The format for an environment: `LOG_FORMAT=json|pretty` when set, otherwise pretty on a terminal and JSON when
 * stderr is a pipe or a file (a log collector, a test, `2> file`). An unknown LOG_FORMAT counts as unset.
 */
export function logFormat(env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  const wanted = env.LOG_FORMAT?.trim().toLowerCase() ?? '';
  if (FORMATS.includes(wanted)) return wanted as LogFormat;
  return isTTY ? 'pretty' : 'json';
}

/**
 * The process logger, on stderr (stdout is kept for command output), level from LOG_LEVEL, format from
 * `logFormat`. Pretty lines are formatted in this thread and written synchronously (pino-pretty as a stream, not
 * a worker transport): the last lines before a crash or `process.exit` are not lost, and nothing holds the
 * process open at exit. JSON lines go through pino's own destination, as they always have.
 */
export function createLogger(
  level = process.env.LOG_LEVEL ?? 'info',
  env: NodeJS.ProcessEnv = process.env,
  isTTY = process.stderr.isTTY === true,
): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    // No line carries a sensitive parameter's value, whoever logs it (server/secrets/redactor.ts).
    hooks: {
      logMethod(args, method) {
        method.apply(this, redactDeep(args));
      },
    },
  };
  const format = logFormat(env, isTTY);
  const logger =
    format === 'json'
      ? pino(options, pino.destination(2))
      : // Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org).
        pino(
          options,
          pretty({ destination: 2, sync: true, colorize: isTTY && !env.NO_COLOR, translateTime: 'SYS:HH:MM:ss.l' }),
        );
  const wanted = env.LOG_FORMAT?.trim().toLowerCase();
  if (wanted && !FORMATS.includes(wanted))
    logger.warn(`LOG_FORMAT "${env.LOG_FORMAT}" is neither json nor pretty; writing ${format}`);
  return logger;
}
