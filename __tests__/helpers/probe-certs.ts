/**
 * Certificates made at test time with openssl: a test CA, and a server certificate it signs for the
 * names given (subjectAltName DNS entries), valid for two days. The CA is what a test passes to the
 * action with NODE_EXTRA_CA_CERTS, so that the probe checks the certificate as it would a real one.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ProbeCerts {
  /** Path of the CA certificate (PEM), for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string
  readonly key: Buffer
  readonly cert: Buffer
  readonly remove: () => void
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

export function makeProbeCerts(names: readonly string[]): ProbeCerts {
  const dir = mkdtempSync(join(tmpdir(), 'probe-certs-'))
  const at = (file: string): string => join(dir, file)
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' })
  }
  openssl(
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=Probe Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign'
  )
  openssl('req', ...EC_KEY, '-keyout', at('site.key'), '-out', at('site.csr'), '-subj', `/CN=${names[0]}`)
  writeFileSync(
    at('site.ext'),
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`
  )
  openssl(
    'x509',
    '-req',
    '-in',
    at('site.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('site.ext'),
    '-out',
    at('site.crt')
  )
  return {
    caFile: at('ca.crt'),
    key: readFileSync(at('site.key')),
    cert: readFileSync(at('site.crt')),
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}
