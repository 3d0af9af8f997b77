import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';

/**
 * Common start of every entry point: parse config (exit 78 with the variable named when it is bad),
 * create the logger, and turn an unexpected failure into a logged exit instead of a stack dump of
 * possibly sensitive values.
 */
export function startProcess(name: string, main: (config: Config, log: Logger) => Promise<void>, env = process.env): void {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel, name });
  main(config, log).catch((err: unknown) => {
    log.fatal({ errorName: err instanceof Error ? err.name : typeof err, stack: err instanceof Error ? err.stack?.split('\n').slice(1, 6).join('\n') : undefined }, `${name} failed`);
    process.exit(1);
  });
}
