import { demoIssuerDir } from '@hub/core';
import { mintDemoToken, parseTokenArguments } from '@hub/gateway/demo-token';
import { PURPOSE_HEADER } from '@hub/gateway/identity';

/**
 * `npm run -s token -- --role grid-worker --grid 320311001001001 [--community C] [--user U] [--department D]
 * [--purpose P] [--unit URBAN_MANAGEMENT] [--ttl 8h]`: prints a bearer token of the demo issuer (development only; refused in production).
 */
try {
  const request = parseTokenArguments(process.argv.slice(2));
  const token = await mintDemoToken(request);
  process.stdout.write(`${token}\n`);
  // The purpose is declared per request, not in the token: say how, on stderr so that $(…) captures the token alone.
  if (request.purpose) process.stderr.write(`declare it per request: -H '${PURPOSE_HEADER}: ${request.purpose}'\n`);
  process.stderr.write(`demo token for ${request.role} (${request.user}), valid ${request.ttl}, from the demo issuer in ${demoIssuerDir()}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
