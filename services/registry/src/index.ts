export { type RegistryConfig, readRegistryConfig, registryConfigSchema } from './config';
export { type DemoSummary, demoPassword } from './demo/seed-demo-district';
export {
  createRegistryService,
  type RegistryDeps,
  type RegistryService,
  registryMigrations,
} from './service';
