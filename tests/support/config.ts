/** A valid configuration for tests, built through the real loader (so defaults apply). */
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export function testConfig(overrides: { [k: string]: Json } = {}): Readonly<Config> {
  return loadConfig({
    dir: '/nonexistent-config-dir',
    env: {},
    overrides: {
      mail: { domain: 'support.example.com', supportAddress: 'support@support.example.com', supportName: 'Support' },
      tsc: { phone: '+1 800 555 0100' },
      security: { linkSecret: 'test-link-secret-0123456789' },
      log: { level: 'silent' },
      ...overrides,
    },
  });
}
