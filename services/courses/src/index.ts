export {
  type CoursesConfig,
  coursesConfigSchema,
  type RoutePolicy,
  readCoursesConfig,
  routePolicyOf,
} from './config';
export type { CoursesDemoSummary } from './demo/seed-demo-courses';
export { type CoursesDeps, type CoursesService, coursesMigrations, createCoursesService } from './service';
