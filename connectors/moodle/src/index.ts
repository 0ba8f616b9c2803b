import { moodleConnector } from './moodle-connector';

export { MoodleClient, type MoodleClientOptions } from './moodle-client';
export { moodleConnector } from './moodle-connector';
export { MoodleException, moodleExceptionOf } from './moodle-errors';
export { MoodleSession, type MoodleTestReport } from './moodle-session';
export { encodePhpForm, type PhpFormValue } from './php-form';
export { optionalFunctions, requiredFunctions } from './session-context';
export {
  type MoodleSecrets,
  type MoodleSettings,
  moodleSecretsSchema,
  moodleSettingsSchema,
} from './settings';

/** The connector definition, loaded by name by lms-bridge (the connector contract asks for a default export). */
export default moodleConnector;
