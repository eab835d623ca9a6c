import type { StructureProbe } from '../../functions/ports/structure-probe.ts';

/**
 * The structure-probe half of a verification probe double that finds a structurally healthy copy:
 * for suites whose subject is not the structural checks (spread it into the double).
 */
export const HEALTHY_STRUCTURE = {
  indexStates: async () => [],
  sequenceStates: async () => [],
  checkForeignKeys: async () => [],
  checkCheckConstraints: async () => [],
  checkGinIndexes: async () => ({ available: true as const, detail: 'no GIN index', outcomes: [] }),
  checkHeapPages: async () => ({ available: true as const, detail: 'amcheck created for this run', outcomes: [] }),
} satisfies Partial<StructureProbe>;
