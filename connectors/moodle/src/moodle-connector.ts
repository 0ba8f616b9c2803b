import { type ConnectorLogger, defineConnector } from '@mathnet/lms-sdk';
import { MoodleClient } from './moodle-client';
import { MoodleSession } from './moodle-session';
import { moodleSecretsSchema, moodleSettingsSchema } from './settings';

const silent: ConnectorLogger = { debug() {}, info() {}, warn() {} };

/**
 * The Moodle connector: Moodle Web Services over the REST protocol with a
 * token. Roster and course pull, enrolment push (manual enrolments), grade and
 * completion pull. See README.md for the functions the token needs.
 */
export const moodleConnector = defineConnector({
  id: 'moodle',
  displayName: 'Moodle',
  description:
    'Moodle Web Services (REST, token): courses become classes, enrolled students and teachers are pulled, network enrolments are pushed as manual enrolments, grades and course completion are pulled.',
  settingsSchema: moodleSettingsSchema,
  secretsSchema: moodleSecretsSchema,
  capabilities: ['roster.pull', 'courses.pull', 'enrollments.push', 'grades.pull'],
  connect(options) {
    // Parsed again so defaults apply when a caller passes raw settings.
    const settings = moodleSettingsSchema.parse(options.settings);
    const secrets = moodleSecretsSchema.parse(options.secrets);
    const logger = options.logger ?? silent;
    const client = new MoodleClient({
      baseUrl: settings.baseUrl,
      token: secrets.token,
      fetch: options.fetch,
      logger,
    });
    return new MoodleSession({
      client,
      settings,
      logger,
      orgSourcedId: settings.schoolSourcedId ?? 'moodle-site',
    });
  },
});
