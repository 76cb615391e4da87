import { createHash } from 'node:crypto';
import { defineProcessor, failWith } from '../../sdk';

export default defineProcessor({
  type: 'HashContent',
  category: 'transform',
  description: 'Computes a hash of the content (sha256, sha512, sha1 or md5) into an attribute.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      algorithm: { enum: ['sha256', 'sha512', 'sha1', 'md5'], default: 'sha256', description: 'Hash algorithm.' },
      attribute: {
        type: 'string',
        minLength: 1,
        default: 'hash.value',
        description: 'Attribute the hash is written to ("hash.algorithm" names the algorithm).',
      },
      encoding: { enum: ['hex', 'base64'], default: 'hex', description: 'How the hash is written.' },
      failIfEmpty: {
        type: 'boolean',
        default: false,
        description: 'Send FlowFiles with empty content to failure instead of hashing them.',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'success', description: 'FlowFiles with the hash attribute set.' },
    { name: 'failure', description: 'Empty content when failIfEmpty is on.' },
  ],
  async onTrigger(session, { config }) {
    for (const ff of await session.get(config.batchSize)) {
      if (ff.size === 0 && config.failIfEmpty) {
        failWith(session, ff, 'hash.error', 'content is empty');
        continue;
      }
      const value = createHash(config.algorithm).update(ff.content).digest(config.encoding);
      session.transfer(
        session.putAttributes(ff, { [config.attribute]: value, 'hash.algorithm': config.algorithm }),
        'success',
      );
    }
  },
});
