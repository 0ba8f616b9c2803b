export type {
  MoodleDoubleSeed,
  MoodleDoubleState,
  SeedCompletion,
  SeedCourse,
  SeedEnrolment,
  SeedGrade,
  SeedGradeItem,
  SeedToken,
  SeedUser,
} from './double-state';
export {
  createMoodleDouble,
  doubleFunctionNames,
  type MoodleDoubleOptions,
  type RunningMoodleDouble,
  startMoodleDouble,
} from './moodle-double';
export { type PhpArray, type PhpValue, parsePhpForm } from './php-form-parser';
export { type SampleSeedOptions, sampleMoodleSeed, sampleStudent, sampleTokens } from './sample-seed';
