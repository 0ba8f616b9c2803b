import type { Db } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import type { ConnectorDefinition, LmsSession } from '@mathnet/lms-sdk';
import { and, eq, isNull } from 'drizzle-orm';
import type { SecretBox } from '../secrets/secret-box';
import { connections } from '../store/schema';

export interface OpenedConnection {
  definition: ConnectorDefinition;
  session: LmsSession;
  connection: typeof connections.$inferSelect;
}

/** Opens a connector session for a stored connection: validated settings, secrets unsealed in memory only. */
export class ConnectionOpener {
  constructor(
    private readonly db: Db,
    private readonly connectors: Map<string, ConnectorDefinition>,
    private readonly box: SecretBox,
    private readonly logger: Logger,
    /** HTTP client handed to connectors (tests point it at an LMS test double). */
    private readonly fetchImpl?: typeof fetch,
  ) {}

  async open(connectionId: string): Promise<OpenedConnection> {
    const [connection] = await this.db
      .select()
      .from(connections)
      .where(and(eq(connections.id, connectionId), isNull(connections.deletedAt)));
    if (!connection) throw new Error(`connection ${connectionId} does not exist`);
    const definition = this.connectors.get(connection.connectorId);
    if (!definition)
      throw new Error(`the connector ${connection.connectorId} is not installed (MATHNET_CONNECTORS)`);
    const secrets = connection.secretsSealed ? this.box.open(connection.secretsSealed) : {};
    const log = this.logger.child({ connector: definition.id, connectionId });
    const session = definition.connect({
      settings: definition.settingsSchema.parse(connection.settings),
      secrets: definition.secretsSchema.parse(secrets),
      ...(this.fetchImpl ? { fetch: this.fetchImpl } : {}),
      logger: {
        debug: (message, details) => log.debug(details ?? {}, message),
        info: (message, details) => log.info(details ?? {}, message),
        warn: (message, details) => log.warn(details ?? {}, message),
      },
    });
    return { definition, session, connection };
  }
}
