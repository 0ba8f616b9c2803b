import { createLogger } from '@mathnet/kit';
import { demoPassword } from '@mathnet/registry';
import { readStandaloneConfig } from './config';
import { DataDirLockedError } from './data-dir-lock';
import { startStandalone } from './start-standalone';

/** `npm start`: the whole network in one process on embedded infrastructure. */
const config = readStandaloneConfig();
const logger = createLogger('mathnet', config.LOG_LEVEL);
try {
  const network = await startStandalone(config, logger);
  const lines = [
    '',
    `mathnet is running (standalone) at ${network.url}`,
    `  API docs:  ${network.url}/api/docs`,
    `  health:    ${network.url}/health/ready`,
    `  data:      ${config.MATHNET_DATA_DIR}${network.createdData ? ' (created now)' : ''}`,
    `  network administrator: ${config.MATHNET_ADMIN_EMAIL} / ${config.MATHNET_ADMIN_PASSWORD}` +
      (config.MATHNET_ADMIN_PASSWORD === 'mathnet-admin'
        ? '  (the default: set MATHNET_ADMIN_PASSWORD)'
        : ''),
  ];
  if (network.demo) {
    lines.push(
      `  demo district loaded: ${network.demo.organisations} organisations, ${network.demo.people} people; demo accounts (password ${demoPassword}):`,
    );
    for (const account of network.demo.accounts.slice(0, 12))
      lines.push(`    ${account.role.padEnd(13)} ${account.email}  (${account.organisation})`);
    if (network.coursesDemo) {
      const states = Object.entries(network.coursesDemo.enrollments)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      lines.push(`  demo courses: ${network.coursesDemo.offerings} offerings; enrollments: ${states}`);
    }
    if (network.demo.accounts.length > 12)
      lines.push(`    … and ${network.demo.accounts.length - 12} more (see README)`);
  }
  lines.push(
    '  get a token: curl -s localhost:' +
      new URL(network.url).port +
      '/api/auth/token -d grant_type=password -d username=… -d password=…',
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => process.exit(1), 15_000).unref();
    void network.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  if (error instanceof DataDirLockedError) {
    process.stderr.write(`mathnet: ${error.message}\n`);
    process.exit(75);
  }
  logger.fatal({ err: error }, 'mathnet failed to start');
  process.exit(1);
}
