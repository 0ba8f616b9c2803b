// PLACEHOLDER written by the lead so the service starts while helper-6 writes the real router; replace this file whole.
import type { Db, UnitOfWork } from '@mathnet/db';
import { Router } from 'express';
import type { RoutePolicy } from '../config';

export function routesRouter(_db: Db, _work: UnitOfWork, _policy: RoutePolicy): Router {
  return Router();
}
