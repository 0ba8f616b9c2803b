import { runConformanceKit } from '@mathnet/lms-sdk/conformance';
import moodleConnector from '../src/index';
import { sampleMoodleSeed, sampleTokens, startMoodleDouble } from '../test-double/index';

/** A fresh double of the sample school, in the given mode, with the given token. */
async function configuration(token: string, mode: 'up' | 'down' | 'ratelimited' = 'up') {
  const double = await startMoodleDouble(sampleMoodleSeed());
  double.state.mode = mode;
  return { settings: { baseUrl: double.url }, secrets: { token }, close: double.close };
}

runConformanceKit({
  connector: moodleConnector,
  connect: () => configuration(sampleTokens.full),
  badCredentials: () => configuration('0000000000000000wrongtoken'),
  unavailable: () => configuration(sampleTokens.full, 'down'),
  rateLimited: () => configuration(sampleTokens.full, 'ratelimited'),
  pushSample: {
    enrollments: [
      { key: 'enr-1', classSourcedId: '3', userSourcedId: '100', role: 'student', status: 'active' },
      { key: 'enr-2', classSourcedId: '2', userSourcedId: '12', role: 'teacher', status: 'active' },
      { key: 'enr-3', classSourcedId: '2', userSourcedId: '101', role: 'student', status: 'tobedeleted' },
    ],
  },
  minRecords: { orgs: 1, courses: 5, classes: 5, users: 39, enrollments: 67, lineItems: 15, results: 100 },
});
