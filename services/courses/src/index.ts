export { type CoursesConfig, coursesConfigSchema, readCoursesConfig, type RoutePolicy, routePolicyOf } from './config';
export { type CoursesDeps, type CoursesService, coursesMigrations, createCoursesService } from './service';
export type { CoursesDemoSummary } from './demo/seed-demo-courses';
