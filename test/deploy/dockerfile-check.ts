/** Reads a Dockerfile into stages and lists what breaks the image rules, without a Docker engine. */

export interface DockerInstruction {
  keyword: string;
  args: string;
  line: number;
}

export interface DockerStage {
  image: string;
  name?: string;
  instructions: DockerInstruction[];
}

/** Splits into instructions (continuations joined, comments dropped) and groups them by FROM. */
export function parseDockerfile(text: string): DockerStage[] {
  const instructions: DockerInstruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && !pending)) return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: index + 1 };
    if (continued) return;
    const match = /^(\S+)\s*(.*)$/.exec(pending.text);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: pending.line });
    pending = undefined;
  });
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ image: image ?? '', name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/** The JSON array of an exec-form ENTRYPOINT/CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const secretName = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL)/i;

export function dockerfileProblems(text: string): string[] {
  let stages: DockerStage[];
  try {
    stages = parseDockerfile(text);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  if (stages.length < 2) problems.push(`a multi-stage build needs at least two FROM, found ${stages.length}`);
  const stageNames = new Set<string>();
  for (const stage of stages) {
    if (!stageNames.has(stage.image)) {
      const tag = /^[^@]+:([^/:@]+)$/.exec(stage.image)?.[1];
      if (!stage.image.includes('@sha256:') && (!tag || tag === 'latest')) problems.push(`FROM ${stage.image}: pin the base image by tag or digest`);
    }
    if (stage.name) stageNames.add(stage.name);
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'ENV' || instruction.keyword === 'ARG') {
        const names = [...instruction.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)].map((match) => match[1]!);
        for (const name of names) if (secretName.test(name)) problems.push(`line ${instruction.line}: ${instruction.keyword} ${name} bakes a secret into the image`);
      }
      if (instruction.keyword === 'ADD' && /https?:\/\//.test(instruction.args)) problems.push(`line ${instruction.line}: ADD of a URL; fetch in a RUN with a checksum instead`);
    }
  }
  const final = stages.at(-1);
  if (!final) return problems;
  const user = final.instructions.filter((instruction) => instruction.keyword === 'USER').at(-1)?.args.split(':')[0];
  if (!user) problems.push('the final stage sets no USER, so it runs as root');
  else if (user === 'root' || user === '0') problems.push(`the final stage runs as ${user}`);
  else if (!/^[1-9][0-9]*$/.test(user)) problems.push(`USER ${user}: use a numeric id, so Kubernetes runAsNonRoot can verify it`);
  for (const keyword of ['ENTRYPOINT', 'CMD']) {
    const instruction = final.instructions.filter((candidate) => candidate.keyword === keyword).at(-1);
    if (instruction && !execForm(instruction.args)) problems.push(`${keyword} in shell form: /bin/sh would be PID 1 and not pass SIGTERM on`);
  }
  if (!final.instructions.some((instruction) => instruction.keyword === 'ENTRYPOINT')) problems.push('the final stage has no ENTRYPOINT');
  if (final.instructions.some((instruction) => instruction.keyword === 'HEALTHCHECK')) problems.push('HEALTHCHECK in the final stage: Kubernetes probes do that job');
  if (!final.instructions.some((instruction) => instruction.keyword === 'COPY' && /--from=/.test(instruction.args))) problems.push('the final stage copies nothing from a build stage');
  return problems;
}
