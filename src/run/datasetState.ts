// What a dataset's store already holds, read by generate and finalize before they start.
import { parseShardDir, type Shard } from './records.js';
import { STATE_DIR, type Store } from '../storage/store.js';

/** The config sha256 of the finished dwgen dataset in the store (its schema.json), if there is one. */
export async function datasetConfigSha256(store: Store): Promise<string | null> {
  const bytes = await store.get('metadata/schema.json');
  if (bytes === null) return null;
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { generator?: { name?: string }; config_sha256?: string };
    return doc.generator?.name === 'dwgen' && typeof doc.config_sha256 === 'string' ? doc.config_sha256 : null;
  } catch {
    return null; // not dwgen's
  }
}

/** The shard counts whose state the store holds (`.dwgen/shard-KKKKK-of-NNNNN/`). */
export async function shardStates(store: Store): Promise<{ dir: string; shard: Shard }[]> {
  const found = new Map<string, Shard>();
  for (const p of await store.list(STATE_DIR)) {
    const name = p.split('/')[1];
    const shard = name === undefined ? null : parseShardDir(name);
    if (shard) found.set(`${STATE_DIR}/${name}`, shard);
  }
  return [...found].map(([dir, shard]) => ({ dir, shard }));
}

/** Removes the metadata, the lineage first: its presence is what marks a complete dataset. */
export async function removeMetadata(store: Store): Promise<void> {
  await store.remove(['metadata/generation_lineage.yaml']);
  await store.remove(['metadata/schema.json']);
}

