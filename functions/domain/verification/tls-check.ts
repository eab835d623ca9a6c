/** The 'tls' check: every connection of the probe encrypted with a current TLS version. */
import type { ConnectionSecurity } from '../../ports/verification-probe.ts';
import type { CheckVerdict } from './report-model.ts';
import { plural, verdict } from './verdict.ts';

/** TLS versions accepted; older ones are broken or deprecated (RFC 8996). */
const ACCEPTED_TLS_VERSIONS: readonly string[] = ['TLSv1.2', 'TLSv1.3'];

/** Passes when every connection is encrypted with TLS 1.2 or later. */
export function judgeTls(connections: readonly ConnectionSecurity[]): CheckVerdict {
  if (connections.length === 0) return verdict('tls', 'failed', 'no connection to inspect');
  let bad = 0;
  const details = connections.map((connection, index) => {
    const label = `connection ${index + 1} (pid ${connection.pid})`;
    if (!connection.ssl) {
      bad += 1;
      return `${label}: not encrypted`;
    }
    const suite = `${connection.version ?? 'unknown version'} ${connection.cipher ?? 'unknown cipher'} ${connection.bits ?? '?'} bits`;
    if (connection.version === null || !ACCEPTED_TLS_VERSIONS.includes(connection.version)) {
      bad += 1;
      return `${label}: ${suite}, older than TLSv1.2`;
    }
    return `${label}: ${suite}`;
  });
  const total = connections.length;
  if (bad > 0) {
    return verdict('tls', 'failed', `${bad} of ${plural(total, 'connection')} not encrypted with TLS 1.2 or later`, details);
  }
  const versions = [...new Set(connections.map((connection) => connection.version))].join(', ');
  return verdict('tls', 'passed', `${total} of ${plural(total, 'connection')} encrypted (${versions})`, details);
}
