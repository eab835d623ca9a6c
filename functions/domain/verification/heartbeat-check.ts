/** The 'heartbeat' check: the recovered point in time, proven by the newest heartbeat row. */
import type { CheckVerdict, HeartbeatExpectation } from './report-model.ts';
import { epochMicros, formatSeconds, verdict } from './verdict.ts';

/**
 * Passes when the newest heartbeat is within the tolerance around the expected point and not older
 * than the manifest's heartbeat. The heartbeat is what proves the recovered point in time.
 */
export function judgeHeartbeat(latestAt: string | null, expectation: HeartbeatExpectation): CheckVerdict {
  const expectedIso = expectation.expectedAt.toISOString();
  const context = [
    `expected point ${expectedIso} (allowed ${formatSeconds(expectation.maxLagSeconds)} s before, ${formatSeconds(expectation.maxLeadSeconds)} s after)`,
  ];
  if (expectation.notBefore !== null) context.push(`manifest heartbeat ${expectation.notBefore}`);
  if (latestAt === null) {
    return verdict('heartbeat', 'failed', 'no heartbeat row: the recovered point in time cannot be proven', context);
  }
  const latest = epochMicros(latestAt);
  if (latest === null) return verdict('heartbeat', 'failed', `heartbeat ${latestAt} is not an ISO 8601 time`, context);
  const lagSeconds = (expectation.expectedAt.getTime() * 1000 - latest) / 1e6;
  const position =
    lagSeconds >= 0
      ? `${formatSeconds(lagSeconds)} s before the expected point ${expectedIso}`
      : `${formatSeconds(-lagSeconds)} s after the expected point ${expectedIso}`;
  const problems: string[] = [];
  if (lagSeconds > expectation.maxLagSeconds) {
    problems.push(`newest heartbeat ${latestAt} is ${position} (allowed ${formatSeconds(expectation.maxLagSeconds)} s)`);
  }
  if (-lagSeconds > expectation.maxLeadSeconds) {
    problems.push(`newest heartbeat ${latestAt} is ${position} (allowed ${formatSeconds(expectation.maxLeadSeconds)} s)`);
  }
  const floor = expectation.notBefore === null ? null : epochMicros(expectation.notBefore);
  if (floor !== null && latest < floor) {
    problems.push(
      `newest heartbeat ${latestAt} is older than the manifest's ${expectation.notBefore}: data the manifest saw is missing`,
    );
  }
  const ceiling = expectation.notAfter === undefined || expectation.notAfter === null ? null : epochMicros(expectation.notAfter);
  if (ceiling !== null && latest > ceiling) {
    problems.push(`newest heartbeat ${latestAt} is newer than reading B's ${expectation.notAfter}, taken after the snapshot: it cannot come from the snapshot`);
  }
  if (problems.length > 0) return verdict('heartbeat', 'failed', problems.join('; '), context);
  if (expectation.notBefore !== null && ceiling !== null) context.push(`reading B heartbeat ${expectation.notAfter}: bracket [${expectation.notBefore}, ${expectation.notAfter}]`);
  return verdict('heartbeat', 'passed', `newest heartbeat ${latestAt} is ${position}`, context);
}
