// deploy/k8s/ for test/k8s.test.ts, where no cluster or container engine exists: the manifests
// (multi-document YAML), the Dockerfile's stages, and an emulation of what the kubelet and the
// Job controller would run: a Job's container command with Kubernetes' own $(VAR) expansion, its
// env (value, resourceFieldRef, JOB_COMPLETION_INDEX), the image's ENV and entrypoint binary, and
// its volume mounts mapped to local directories.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './dwgen.js';

export const K8S_DIR = join(ROOT, 'deploy/k8s');
export const DOCKERFILE = join(K8S_DIR, 'Dockerfile');

export interface Manifest {
  file: string;
  doc: any;
}

/** Every document of every deploy/k8s/*.yaml, in file order. */
export function loadManifests(): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(K8S_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8'))) {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
      const doc = d.toJS();
      if (doc !== null) out.push({ file, doc });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------- Dockerfile

export interface Instruction {
  op: string;
  args: string;
}
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** The Dockerfile as stages of instructions (comments dropped, continuation lines joined). */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) pending += `${line.slice(0, -1).trim()} `;
    else {
      logical.push(`${pending}${line}`.trim());
      pending = '';
    }
  }
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s+(.*)$/.exec(l);
    if (!m) throw new Error(`Dockerfile: cannot read '${l}'`);
    const op = m[1].toUpperCase();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(m[2]);
      if (!f) throw new Error(`Dockerfile: cannot read FROM '${m[2]}'`);
      stages.push({ from: f[1], name: f[2], instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile: ${op} before FROM`);
      stages[stages.length - 1].instructions.push({ op, args: m[2] });
    }
  }
  return stages;
}

/** A stage's instructions, following FROM <earlier stage> back to the base image. */
export function stageChain(stages: Stage[], stage: Stage): Instruction[] {
  const parent = stages.find((s) => s.name !== undefined && s.name === stage.from);
  return parent ? [...stageChain(stages, parent), ...stage.instructions] : stage.instructions;
}

/** The base image a stage starts from, through earlier stages. */
export function baseImage(stages: Stage[], stage: Stage): string {
  const parent = stages.find((s) => s.name !== undefined && s.name === stage.from);
  return parent ? baseImage(stages, parent) : stage.from;
}

/**
 * What the emulation needs from the final image: its ENV, WORKDIR, and the binaries it links
 * onto PATH (`RUN ln -s TARGET LINK`), image path → image path.
 */
export interface ImageFacts {
  env: Record<string, string>;
  workdir: string;
  links: Record<string, string>;
  entrypoint: string[];
}

export function imageFacts(stages: Stage[]): ImageFacts {
  const final = stages[stages.length - 1];
  const facts: ImageFacts = { env: {}, workdir: '/', links: {}, entrypoint: [] };
  for (const ins of stageChain(stages, final)) {
    if (ins.op === 'ENV') {
      for (const m of ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) facts.env[m[1]] = m[2].replace(/^"|"$/g, '');
    } else if (ins.op === 'WORKDIR') facts.workdir = posix.resolve(facts.workdir, ins.args);
    else if (ins.op === 'RUN') {
      for (const m of ins.args.matchAll(/\bln -sf? (\S+) (\S+)/g)) facts.links[m[2]] = m[1];
    } else if (ins.op === 'ENTRYPOINT') facts.entrypoint = JSON.parse(ins.args) as string[];
  }
  return facts;
}

// ----------------------------------------------------------------------------- the emulation

export interface ContainerProcess {
  /** What runs on this machine: node and the script the image's binary links to. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The command as the container sees it, after $(VAR) expansion. */
  containerArgv: string[];
}

export interface EmulationSetup {
  /** The image's /app (its WORKDIR) is this clone. */
  imageRoot: string;
  image: ImageFacts;
  /** A volume's source (the PVC's claimName or the ConfigMap's name) → the local directory standing for it. */
  volumes: Record<string, string>;
  /** HOME of the container's user. */
  home: string;
}

/** Kubernetes' expansion of command and args: $(VAR) from the container's env, $$ → $, unknown names kept. */
export function expandK8s(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return Object.hasOwn(env, name) ? env[name] : whole;
  });
}

/** A resource quantity as a number of its base unit (CPU cores, bytes). */
export function quantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`not a quantity the emulation knows: '${q}'`);
  const unit: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * unit[m[2] ?? ''];
}

/** The single container of a Job's pod template. */
export function jobContainer(job: any): any {
  const containers = job.spec.template.spec.containers as any[];
  if (containers.length !== 1) throw new Error(`${job.metadata.name}: expected one container, found ${containers.length}`);
  return containers[0];
}

/** The process the kubelet would start for this Job's pod with completion index `index`. */
export function containerProcess(job: any, index: number | undefined, setup: EmulationSetup): ContainerProcess {
  const podSpec = job.spec.template.spec;
  const container = jobContainer(job);
  const env: Record<string, string> = { ...setup.image.env };
  if (job.spec.completionMode === 'Indexed') {
    if (index === undefined) throw new Error(`${job.metadata.name} is Indexed: give the completion index`);
    env.JOB_COMPLETION_INDEX = String(index); // set by the Job controller in every pod of an Indexed Job
  }
  for (const e of (container.env ?? []) as any[]) {
    if (e.value !== undefined) env[e.name] = expandK8s(String(e.value), env);
    else if (e.valueFrom?.resourceFieldRef) {
      const ref = e.valueFrom.resourceFieldRef;
      if (ref.containerName !== undefined && ref.containerName !== container.name) throw new Error(`${e.name}: another container's resources`);
      const [kind, resource] = String(ref.resource).split('.');
      const value = container.resources?.[kind === 'limits' ? 'limits' : 'requests']?.[resource];
      if (value === undefined) throw new Error(`${e.name}: ${ref.resource} is not set`);
      env[e.name] = String(Math.ceil(quantity(value) / quantity(ref.divisor ?? 1))); // the kubelet rounds up
    } else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.annotations['batch.kubernetes.io/job-completion-index']") {
      env[e.name] = String(index);
    } else throw new Error(`env ${e.name}: not emulated (${JSON.stringify(e.valueFrom)})`);
  }
  const command: string[] = container.command ?? setup.image.entrypoint;
  const containerArgv = [...command, ...((container.args ?? []) as string[])].map((a) => expandK8s(String(a), env));

  // the volume mounts: container path → local directory
  const mounts: [string, string][] = [];
  for (const m of (container.volumeMounts ?? []) as any[]) {
    const volume = (podSpec.volumes as any[]).find((v) => v.name === m.name);
    if (!volume) throw new Error(`volumeMount ${m.name}: no such volume`);
    const source: string = volume.persistentVolumeClaim?.claimName ?? volume.configMap?.name;
    if (source === undefined || setup.volumes[source] === undefined) throw new Error(`volume ${m.name}: no local directory for '${source}'`);
    mounts.push([m.mountPath, setup.volumes[source]]);
  }
  const toLocal = (p: string): string => {
    for (const [mountPath, dir] of mounts) {
      if (p === mountPath) return dir;
      if (p.startsWith(`${mountPath}/`)) return join(dir, p.slice(mountPath.length + 1));
    }
    return p;
  };
  const fromImage = (p: string): string => {
    const rel = posix.relative(setup.image.workdir, p);
    if (rel.startsWith('..')) throw new Error(`${p} is outside the image's ${setup.image.workdir}`);
    return join(setup.imageRoot, rel);
  };

  // the entrypoint binary: found on the image's PATH, a link to a node script inside the image
  const bin = containerArgv[0];
  const onPath = bin.includes('/') ? bin : ['/usr/local/bin', '/usr/bin', '/bin'].map((d) => `${d}/${bin}`).find((p) => setup.image.links[p]);
  const target = onPath !== undefined ? setup.image.links[onPath] : undefined;
  if (target === undefined) throw new Error(`'${bin}' is not a binary the image links onto its PATH`);
  const script = fromImage(posix.resolve(posix.dirname(onPath!), target));

  return {
    argv: [process.execPath, script, ...containerArgv.slice(1).map(toLocal)],
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: setup.home, ...env },
    cwd: fromImage(container.workingDir ?? setup.image.workdir),
    containerArgv,
  };
}

export interface Exit {
  index: number | undefined;
  status: number | null;
  stderr: string;
}

/** Runs one emulated container to its end. */
export function runContainer(p: ContainerProcess, index?: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(p.argv[0], p.argv.slice(1), { cwd: p.cwd, env: p.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ index, status, stderr }));
  });
}

/**
 * The Job controller for an Indexed Job: one pod per index 0 … completions−1, at most `atOnce` at a
 * time (the manifest's parallelism, capped at this machine's cores), each a separate process.
 */
export async function runIndexedJob(job: any, setup: EmulationSetup, atOnce: number): Promise<Exit[]> {
  const completions = job.spec.completions as number;
  const exits: Exit[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < completions) {
      const index = next++;
      exits.push(await runContainer(containerProcess(job, index, setup), index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, completions) }, lane));
  return exits.sort((a, b) => a.index! - b.index!);
}
