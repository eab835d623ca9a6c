/**
 * The failover timeline on a virtual clock, per topology: writer down → traffic on the new writer,
 * split into detection, confirmation, action, wait and switch, and what the orchestration adds to
 * the providers' own time (RDS's failover or promotion, Route 53's propagation, the record's TTL).
 * Printed by `npm run bench` (bench/run.ts), or alone with `node bench/failover.ts`.
 *
 * The real state machine (statemachines/failover.asl.json) runs with the real handlers against the
 * stateful fakes (test/support/failover-world.ts), with:
 * - RDS taking its documented failover times: a Multi-AZ instance 120 s (upper end of "typically
 *   60-120 s", "Failover process for Amazon RDS"), a Multi-AZ DB cluster 35 s ("typically under 35
 *   seconds", FailoverDBCluster); a read replica promotion 300 s (RDS documents no figure, "a few
 *   minutes": the fake's default);
 * - Route 53 taking its documented 60 s to propagate a change ("generally propagate ... within 60
 *   seconds"), clients then holding the old answer up to the record's 10 s TTL;
 * - detection by the WriterDown alarm: two failed one-minute probes (infra/constructs/alarm-specs.ts),
 *   the writer failing right after a successful probe: 120 s; CloudWatch's own evaluation delay and
 *   EventBridge delivery are not modelled;
 * - 200 ms per Lambda invocation, and 3 s for a probe whose connection times out (the probe's
 *   connect timeout, functions/domain/probe/model.ts PROBE_DEFAULTS).
 * Goal: the orchestration adds under 30 s to the providers' time.
 */
import { FailoverWorld, loadHandlers, type HandlerModules } from '../test/support/failover-world.ts';
import type { Topology } from '../functions/ports/database-control-plane.ts';

const DETECTION_SECONDS = 120;
const INVOKE_MS = 200;
const FAILED_PROBE_MS = 3_000;
const RECORD_TTL_SECONDS = 10;
const DNS_PROPAGATION_MS = 60_000;
const RDS = { instanceFailoverMs: 120_000, clusterFailoverMs: 35_000, promoteMs: 300_000 } as const;
const GOAL_SECONDS = 30;

interface Scenario {
  readonly name: string;
  readonly topology: Topology;
  readonly mode: 'az' | 'region';
  /** RDS's own time for the action, seconds. */
  readonly rdsSeconds: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'multi-az-instance, az', topology: 'multi-az-instance', mode: 'az', rdsSeconds: RDS.instanceFailoverMs / 1000 },
  { name: 'multi-az-cluster, az', topology: 'multi-az-cluster', mode: 'az', rdsSeconds: RDS.clusterFailoverMs / 1000 },
  { name: 'multi-az-instance, region', topology: 'multi-az-instance', mode: 'region', rdsSeconds: RDS.promoteMs / 1000 },
];

/** One measured run. */
export interface FailoverBenchRow {
  readonly scenario: string;
  readonly detection: number;
  readonly confirmation: number;
  readonly action: number;
  readonly wait: number;
  readonly switch: number;
  /** Writer down to traffic on the new writer. */
  readonly total: number;
  /** RDS's failover or promotion, Route 53's propagation and the TTL. */
  readonly provider: number;
  /** What the workflow adds: total - detection - provider. */
  readonly overhead: number;
}

async function runScenario(modules: HandlerModules, scenario: Scenario): Promise<FailoverBenchRow> {
  const world = new FailoverWorld(modules, {
    topology: scenario.topology,
    durations: { failoverMs: RDS.instanceFailoverMs, clusterFailoverMs: RDS.clusterFailoverMs, promoteMs: RDS.promoteMs },
    dnsPropagationMs: DNS_PROPAGATION_MS,
  });
  try {
    world.latency = { invokeMs: INVOKE_MS, failedProbeMs: FAILED_PROBE_MS };
    // The writer's last heartbeat, then it fails; the alarm fires two probe periods later.
    world.writer.rows?.push({ writtenAt: world.clock.now().toISOString().replace('Z', '000Z'), writer: 'monitor' });
    world.breakWriter();
    world.clock.advance(DETECTION_SECONDS * 1000);
    const detectedAt = world.clock.now().toISOString();
    const result = await world.run({ mode: scenario.mode, reason: `bench: ${scenario.name}`, detectedAt });
    if (result.status !== 'SUCCEEDED') throw new Error(`${scenario.name}: ${result.error ?? ''}: ${result.cause ?? ''}`);
    const t = (result.output as { timeline: Record<string, number | null> }).timeline;
    const num = (v: number | null | undefined): number => v ?? 0;
    // Clients see the new record once it is in sync and their cached answer has expired.
    const ttl = scenario.mode === 'region' ? RECORD_TTL_SECONDS : 0;
    const dns = scenario.mode === 'region' ? DNS_PROPAGATION_MS / 1000 : 0;
    const switchSeconds = num(t['switchSeconds']) + ttl;
    const total = DETECTION_SECONDS + num(t['triggerSeconds']) + num(t['confirmationSeconds']) + num(t['actionSeconds']) + num(t['waitSeconds']) + switchSeconds;
    const provider = scenario.rdsSeconds + dns + ttl;
    return {
      scenario: scenario.name,
      detection: DETECTION_SECONDS,
      confirmation: num(t['triggerSeconds']) + num(t['confirmationSeconds']),
      action: num(t['actionSeconds']),
      wait: num(t['waitSeconds']),
      switch: switchSeconds,
      total,
      provider,
      overhead: Math.round((total - DETECTION_SECONDS - provider) * 1000) / 1000,
    };
  } finally {
    world.restore();
  }
}

/** Runs the three scenarios and prints the split; returns the rows (for tests and other benches). */
export async function benchFailover(): Promise<FailoverBenchRow[]> {
  const modules = await loadHandlers();
  const rows: FailoverBenchRow[] = [];
  for (const scenario of SCENARIOS) rows.push(await runScenario(modules, scenario));
  const s = (v: number): string => v.toFixed(1).padStart(7);
  console.log('\n## failover timeline (virtual clock; seconds from writer down to traffic on the new writer)');
  console.log(
    `assumptions: detection ${DETECTION_SECONDS} s (2 failed 1-min probes), RDS instance ${RDS.instanceFailoverMs / 1000} s, cluster ${RDS.clusterFailoverMs / 1000} s, promotion ${RDS.promoteMs / 1000} s, Route 53 ${DNS_PROPAGATION_MS / 1000} s + TTL ${RECORD_TTL_SECONDS} s, λ ${INVOKE_MS} ms, failed probe ${FAILED_PROBE_MS / 1000} s`,
  );
  console.log(`${'scenario'.padEnd(27)} detection confirm  action    wait  switch   total provider overhead`);
  for (const r of rows) {
    const verdict = r.overhead < GOAL_SECONDS ? `< ${GOAL_SECONDS} s goal` : `OVER the ${GOAL_SECONDS} s goal`;
    console.log(`${r.scenario.padEnd(27)}${s(r.detection)}  ${s(r.confirmation)}${s(r.action)}${s(r.wait)}${s(r.switch)}${s(r.total)} ${s(r.provider)} ${s(r.overhead)}  ${verdict}`);
  }
  return rows;
}

if (import.meta.main) await benchFailover();
