import { runConformanceKit } from '@mathnet/lms-sdk/conformance';
import oneRosterConnector from '../src/index';
import { createOneRosterDouble, districtZip, generateDistrict } from '../test-double/index';

const district = generateDistrict({
  students: 12,
  teachers: 3,
  classes: 3,
  enrollments: 20,
  sessions: 3,
  courses: 2,
  seed: 11,
});
const expected = {
  orgs: district.counts.orgs,
  academicSessions: district.counts.academicSessions,
  courses: district.counts.courses,
  classes: district.counts.classes,
  users: district.counts.users,
  enrollments: district.counts.enrollments,
  lineItems: district.counts.lineItems,
  results: district.counts.results,
};

/** A fresh double per check, listening on a free port, in the given mode. */
async function restConfig(
  setup: (double: ReturnType<typeof createOneRosterDouble>) => void = () => undefined,
  wrongSecret = false,
) {
  const double = createOneRosterDouble({ district });
  setup(double);
  const { url, close } = await double.start();
  return {
    settings: { baseUrl: url },
    secrets: {
      clientId: double.clientId,
      clientSecret: wrongSecret ? 'not-the-secret' : double.clientSecret,
    },
    close,
  };
}

runConformanceKit({
  connector: oneRosterConnector,
  title: 'conformance: oneroster (REST binding)',
  connect: () => restConfig(),
  badCredentials: () => restConfig(undefined, true),
  unavailable: () =>
    restConfig((double) => {
      double.state.mode = 'down';
    }),
  rateLimited: () =>
    restConfig((double) => {
      // Longer than the connector waits: it must hand a RateLimitedError to the bridge.
      double.state.mode = 'rate-limited';
      double.state.retryAfterSeconds = 120;
    }),
  minRecords: expected,
});

runConformanceKit({
  connector: oneRosterConnector,
  title: 'conformance: oneroster (CSV archive)',
  connect: async () => ({
    settings: {},
    secrets: {},
    source: { kind: 'bytes', data: await districtZip(district) },
  }),
  minRecords: expected,
});
