// deploy/k8s/ without a cluster: every manifest against the Kubernetes API schemas
// (kubernetes-models: its validators for types, enums and required fields, its TypeScript types
// for fields the API does not have), the Dockerfile's base, user and commands, run.sh's order
// against a kubectl stand-in, and a local emulation of the Jobs: the shard Job's exact container
// command once per completion index as separate processes, then the finalize Job's, compared with
// a one-machine `dwgen generate --layout partitioned` run.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../src/config/config.js';
import { CLI, ROOT, tempDir } from './helpers/dwgen.js';
import {
  DOCKERFILE,
  K8S_DIR,
  baseImage,
  containerProcess,
  expandK8s,
  imageFacts,
  jobContainer,
  loadManifests,
  parseDockerfile,
  quantity,
  runContainer,
  runIndexedJob,
  stageChain,
  type EmulationSetup,
  type Manifest,
} from './helpers/k8s.js';
import { expectSameDataset, oneMachineRun, shardConfigText } from './helpers/shards.js';

const manifests = loadManifests();
const byName = (kind: string, name: string): any => {
  const m = manifests.find((x) => x.doc.kind === kind && x.doc.metadata?.name === name);
  if (!m) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return m.doc;
};
const shards = byName('Job', 'dwgen-shards');
const finalize = byName('Job', 'dwgen-finalize');
const pvc = byName('PersistentVolumeClaim', 'dwgen-output');
const configMap = byName('ConfigMap', 'dwgen-config');

/** The kubernetes-models class and TypeScript type of each kind deploy/k8s ships. */
const MODELS: Record<string, { model: { new (data: any): { validate(): void } }; type: string; module: string }> = {
  'batch/v1/Job': { model: Job, type: 'IJob', module: 'kubernetes-models/batch/v1/Job' },
  'v1/ConfigMap': { model: ConfigMap, type: 'IConfigMap', module: 'kubernetes-models/v1/ConfigMap' },
  'v1/PersistentVolumeClaim': { model: PersistentVolumeClaim, type: 'IPersistentVolumeClaim', module: 'kubernetes-models/v1/PersistentVolumeClaim' },
};
const modelOf = (doc: any) => {
  const m = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!m) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  return m;
};

/** The API schema's verdict on a document: null when valid, else the validator's message. */
function schemaError(doc: any): string | null {
  try {
    new (modelOf(doc).model)(structuredClone(doc)).validate();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Fields the API does not define. kubernetes-models' validators allow unknown properties (as the
 * API server would drop them, silently), so each document is type-checked as an object literal
 * of kubernetes-models' TypeScript type: tsc refuses any property the type does not declare.
 * Returns tsc's status and output.
 */
function unknownFields(docs: readonly Manifest[]): { status: number | null; output: string } {
  const dir = tempDir('dwgen-k8s-types-');
  const used = [...new Set(docs.map((m) => modelOf(m.doc)))];
  const source = [
    ...used.map((m) => `import type { ${m.type} } from '${m.module}';`),
    ...docs.map((m, i) => `// ${m.file}\nexport const doc${i}: ${modelOf(m.doc).type} = ${JSON.stringify(m.doc, null, 2)};`),
  ].join('\n');
  writeFileSync(join(dir, 'manifests.ts'), `${source}\n`);
  const tsconfig = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      module: 'esnext',
      moduleResolution: 'bundler',
      skipLibCheck: true,
      types: [],
      baseUrl: '.',
      paths: { 'kubernetes-models/*': [join(ROOT, 'node_modules/kubernetes-models/*')] },
    },
    files: ['manifests.ts'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The value after a flag in a container's args. */
const flagValue = (args: string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

describe('deploy/k8s manifests against the Kubernetes API', () => {
  it('are the shard Job, the finalize Job, the claim and the config, each once', () => {
    expect(manifests.map((m) => `${m.file}: ${m.doc.kind} ${m.doc.metadata.name}`)).toEqual([
      'configmap.yaml: ConfigMap dwgen-config',
      'finalize-job.yaml: Job dwgen-finalize',
      'pvc.yaml: PersistentVolumeClaim dwgen-output',
      'shards-job.yaml: Job dwgen-shards',
    ]);
  });

  it('every manifest passes its API schema (types, enums, required fields)', () => {
    for (const m of manifests) expect(schemaError(m.doc), `${m.file}`).toBeNull();
  });

  it('the schema check refuses what the API would (controls: a wrong enum, a missing field, a string count)', () => {
    const wrongMode = structuredClone(shards);
    wrongMode.spec.completionMode = 'Indexd';
    expect(schemaError(wrongMode)).toMatch(/completionMode must be equal to one of the allowed values/);
    const noName = structuredClone(shards);
    delete noName.spec.template.spec.containers[0].name;
    expect(schemaError(noName)).toBe('data/spec/template/spec/containers/0 must have required property name');
    const textCount = structuredClone(shards);
    textCount.spec.completions = '8';
    expect(schemaError(textCount)).toMatch(/completions must be integer/);
  });

  it('no manifest has a field the API does not define', () => {
    const r = unknownFields(manifests);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('the field check catches a misspelt field (control)', () => {
    const typo = structuredClone(shards);
    typo.spec.completionsMode = typo.spec.completionMode;
    delete typo.spec.completionMode;
    const r = unknownFields([{ file: 'shards-job.yaml (typo)', doc: typo }]);
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/error TS2353: .*'"completionsMode"' does not exist in type 'IJobSpec'/);
  });

  it('the shard Job: Indexed, completions = --parts, the part from JOB_COMPLETION_INDEX, a worker per CPU of its limit', () => {
    const container = jobContainer(shards);
    const args: string[] = container.args;
    expect(shards.spec.completionMode).toBe('Indexed');
    expect(container.command).toEqual(['dwgen']);
    expect(args[0]).toBe('generate');
    expect(Number(flagValue(args, '--parts'))).toBe(shards.spec.completions);
    expect(shards.spec.parallelism).toBeGreaterThanOrEqual(1);
    expect(shards.spec.parallelism).toBeLessThanOrEqual(shards.spec.completions);
    expect(flagValue(args, '--part-from-env')).toBe('JOB_COMPLETION_INDEX');
    expect(args).not.toContain('--part');
    expect(flagValue(args, '--workers')).toBe('$(DWGEN_WORKERS)');
    expect(container.env).toEqual([
      { name: 'DWGEN_WORKERS', valueFrom: { resourceFieldRef: { containerName: 'dwgen', resource: 'limits.cpu', divisor: '1' } } },
    ]);
    // Guaranteed QoS, whole cores: the worker count is the CPU the pod really gets
    expect(container.resources.requests).toEqual(container.resources.limits);
    expect(Number.isInteger(quantity(container.resources.limits.cpu))).toBe(true);
    expect(shards.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('both Jobs write one dataset on the ReadWriteMany claim, from one image; the config the shards read is in the ConfigMap', () => {
    expect(pvc.spec.accessModes).toContain('ReadWriteMany');
    const outputOf = (job: any): string => {
      const container = jobContainer(job);
      const volume = job.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim);
      expect(volume.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
      const mount = container.volumeMounts.find((m: any) => m.name === volume.name);
      const out = flagValue(container.args, '--out')!;
      expect(out.startsWith(`${mount.mountPath}/`), `${out} is on the claim`).toBe(true);
      return out;
    };
    expect(outputOf(shards)).toBe(outputOf(finalize));
    expect(jobContainer(finalize).command).toEqual(['dwgen']);
    expect(jobContainer(finalize).args).toEqual(['finalize', '--out', outputOf(finalize), '--workers', '$(DWGEN_WORKERS)']);
    expect(jobContainer(finalize).env).toEqual(jobContainer(shards).env); // workers = the CPU limit, as for the shards
    expect(jobContainer(finalize).image).toBe(jobContainer(shards).image);
    for (const job of [shards, finalize]) {
      expect(job.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
      // exit 2 (bad input) fails the Job at once instead of retrying
      expect(job.spec.podFailurePolicy.rules[0]).toEqual({ action: 'FailJob', onExitCodes: { containerName: 'dwgen', operator: 'In', values: [2] } });
    }

    const config = flagValue(jobContainer(shards).args, '--config')!;
    const configVolume = shards.spec.template.spec.volumes.find((v: any) => v.configMap);
    expect(configVolume.configMap.name).toBe(configMap.metadata.name);
    const mount = jobContainer(shards).volumeMounts.find((m: any) => m.name === configVolume.name);
    expect(posix.dirname(config)).toBe(mount.mountPath);
    const text = configMap.data[posix.basename(config)];
    expect(typeof text).toBe('string');
    const parsed = validateConfig(parseYaml(text)); // a config dwgen accepts
    expect(parsed.scale_factor).toBe(1000);
  });
});

const stages = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
const image = imageFacts(stages);
const finalStage = stages[stages.length - 1];

describe('deploy/k8s/Dockerfile', () => {
  it('every stage starts from node:22-slim or newer', () => {
    for (const s of stages) {
      const m = /^node:(\d+)(?:\.\d+){0,2}-(?:[a-z]+-)?slim(?:@sha256:[0-9a-f]{64})?$/.exec(baseImage(stages, s));
      expect(m, `${s.name ?? 'final'} from ${baseImage(stages, s)}`).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(22);
    }
  });

  it('the image runs as a non-root user, with production dependencies from npm ci --omit=dev and the built dist', () => {
    const users = stageChain(stages, finalStage).filter((i) => i.op === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1].args.trim());

    const copyFrom = (path: string): string => {
      const c = finalStage.instructions.find((i) => i.op === 'COPY' && new RegExp(`^--from=\\S+ \\S*${path} `).test(i.args));
      if (!c) throw new Error(`the final stage copies no ${path} from a stage`);
      return /^--from=(\S+)/.exec(c.args)![1];
    };
    const runs = (stage: string): string[] => stageChain(stages, stages.find((s) => s.name === stage)!).filter((i) => i.op === 'RUN').map((i) => i.args);
    // node_modules come from a stage that installed them with npm ci --omit=dev
    expect(runs(copyFrom('node_modules')).some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).toBe(true);
    // dist comes from a stage that compiled src/ (npm ci runs the prepare script, npm run build)
    const build = stages.find((s) => s.name === copyFrom('dist'))!;
    const built = stageChain(stages, build);
    expect(built.some((i) => i.op === 'COPY' && /^src /.test(i.args))).toBe(true);
    expect(built.some((i) => i.op === 'RUN' && /\bnpm (ci|run build)\b/.test(i.args) && !/--omit=dev|--ignore-scripts/.test(i.args))).toBe(true);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.prepare).toBe('npm run build');

    expect(image.env.NODE_ENV).toBe('production');
    expect(image.workdir).toBe('/app');
    expect(image.links['/usr/local/bin/dwgen']).toBe('/app/dist/main.js');
    expect(image.entrypoint).toEqual(['dwgen']);
  });

  it('.dockerignore keeps dependencies, builds, generated data and git out of the context, and nothing the Dockerfile copies', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', '.git', 'data', 'metadata']) expect(ignored).toContain(p);
    const glob = (p: string): RegExp => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    for (const s of stages) {
      for (const c of s.instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from='))) {
        const sources = c.args.split(/\s+/).slice(0, -1);
        for (const src of sources) {
          expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true);
          expect(ignored.filter((p) => glob(p).test(src)), `${src} is in the context`).toEqual([]);
        }
      }
    }
  });
});

/** Local directories standing for the claim and the ConfigMap (holding `config` under the shipped key). */
function emulationSetup(config: string): { setup: EmulationSetup; claim: string; configDir: string } {
  const dir = tempDir('dwgen-k8s-');
  const claim = join(dir, 'claim');
  const configDir = join(dir, 'configmap');
  mkdirSync(claim);
  mkdirSync(configDir);
  writeFileSync(join(configDir, posix.basename(flagValue(jobContainer(shards).args, '--config')!)), config);
  mkdirSync(join(dir, 'home'));
  return {
    setup: { imageRoot: ROOT, image, volumes: { [pvc.metadata.name]: claim, [configMap.metadata.name]: configDir }, home: join(dir, 'home') },
    claim,
    configDir,
  };
}

describe('local emulation of the Jobs', () => {
  it('expands $(VAR) as Kubernetes does and reads quantities', () => {
    expect(expandK8s('$(A)-$$(A)-$(B)-$$', { A: '1' })).toBe('1-$(A)-$(B)-$');
    expect([quantity('4'), quantity('500m'), quantity('2Gi'), quantity(3)]).toEqual([4, 0.5, 2 ** 31, 3]);
  });

  it("a shard pod runs the manifest's command with its index, its CPU limit as workers, and the mounts' paths", () => {
    const { setup, claim, configDir } = emulationSetup('seed: 1\n');
    const p = containerProcess(shards, 3, setup);
    expect(p.containerArgv).toEqual(['dwgen', 'generate', '--config', '/etc/dwgen/dwgen.yaml', '--out', '/data/dw', '--parts', '8', '--part-from-env', 'JOB_COMPLETION_INDEX', '--workers', '4']);
    expect(p.argv).toEqual([process.execPath, CLI, 'generate', '--config', join(configDir, 'dwgen.yaml'), '--out', join(claim, 'dw'), '--parts', '8', '--part-from-env', 'JOB_COMPLETION_INDEX', '--workers', '4']);
    expect(p.env).toMatchObject({ JOB_COMPLETION_INDEX: '3', DWGEN_WORKERS: '4', NODE_ENV: 'production' });
    expect(Object.keys(p.env).filter((k) => k.startsWith('SLURM_'))).toEqual([]);
    expect(p.cwd).toBe(ROOT);
    const f = containerProcess(finalize, undefined, setup);
    expect(f.argv).toEqual([process.execPath, CLI, 'finalize', '--out', join(claim, 'dw'), '--workers', '4']);
    expect(f.env.JOB_COMPLETION_INDEX).toBeUndefined();
  });

  it('every shard pod (generate --part-from-env JOB_COMPLETION_INDEX) as its own process, then finalize, equal a one-machine run', async () => {
    const config = shardConfigText();
    const { setup, claim, configDir } = emulationSetup(config);
    const reference = oneMachineRun(join(configDir, 'dwgen.yaml'));
    // the Job controller's parallelism, capped at this machine's two cores
    const exits = await runIndexedJob(shards, setup, Math.min(shards.spec.parallelism, 2));
    expect(exits.map((e) => [e.index, e.status]), exits.map((e) => e.stderr).join('\n')).toEqual(
      Array.from({ length: shards.spec.completions }, (_, i) => [i, 0]),
    );
    const f = await runContainer(containerProcess(finalize, undefined, setup));
    expect(f.status, f.stderr).toBe(0);
    expectSameDataset(join(claim, 'dw'), reference);
  }, 300_000);
});

/** A kubectl stand-in that logs each call; `wait` answers from STUB_SHARDS (complete | failed). */
function kubectlStub(): { bin: string; log: string } {
  const dir = tempDir('dwgen-kubectl-');
  const log = join(dir, 'calls.log');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/usr/bin/env bash
echo "$*" >>${JSON.stringify(log)}
case "$*" in
  *wait*condition=Complete*job/dwgen-shards*) [ "$STUB_SHARDS" = complete ] ;;
  *wait*condition=Failed*job/dwgen-shards*) [ "$STUB_SHARDS" = failed ] ;;
  *wait*condition=Complete*job/dwgen-finalize*) true ;;
  *wait*condition=Failed*) false ;;
  *) true ;;
esac
`,
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  return { bin, log };
}

describe('deploy/k8s/run.sh (kubectl stand-in)', () => {
  const run = (state: string) => {
    const { bin, log } = kubectlStub();
    const r = spawnSync('bash', [join(K8S_DIR, 'run.sh'), '-n', 'dw'], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STUB_SHARDS: state }, timeout: 60_000 });
    return { status: r.status, stderr: r.stderr, calls: readFileSync(log, 'utf8').trimEnd().split('\n') };
  };
  const k = (file: string): string => join(K8S_DIR, file);

  it('applies the volume and config, replaces last night\'s Jobs, and starts finalize only once the shards are Complete', () => {
    const r = run('complete');
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls).toEqual([
      `-n dw apply -f ${k('pvc.yaml')} -f ${k('configmap.yaml')}`,
      '-n dw delete job dwgen-shards dwgen-finalize --ignore-not-found --wait=true',
      `-n dw apply -f ${k('shards-job.yaml')}`,
      '-n dw wait --for=condition=Complete --timeout=10s job/dwgen-shards',
      `-n dw apply -f ${k('finalize-job.yaml')}`,
      '-n dw wait --for=condition=Complete --timeout=10s job/dwgen-finalize',
    ]);
  });

  it('stops with exit 1 and no finalize when the shard Job failed', () => {
    const r = run('failed');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('job/dwgen-shards failed');
    expect(r.calls.some((c) => c.includes('finalize-job.yaml'))).toBe(false);
    expect(r.calls.slice(-2)).toEqual(['-n dw wait --for=condition=Complete --timeout=10s job/dwgen-shards', '-n dw wait --for=condition=Failed --timeout=1s job/dwgen-shards']);
  });
});
