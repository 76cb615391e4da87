/**
 * Environment variables that hold the server's own secrets: a flow may not read them, neither as
 * `${env:NAME}` nor through the connectors' `${NAME}`, or anyone who may edit a flow could send them to a broker.
 * (NATS_URL stays readable: WindowAggregate documents `${NATS_URL}` for its state bucket on the server's NATS.)
 */
const SERVER_SECRETS: ReadonlyMap<string, string> = new Map([
  ['SLUICE_SECRETS_KEY', 'the key that encrypts sensitive parameters'],
  ['SLUICE_TOKEN', "the server's API token"],
]);

/** Why a flow may not read environment variable `name`, or undefined when it may. */
export function refusedEnvironmentVariable(name: string): string | undefined {
  const what = SERVER_SECRETS.get(name);
  if (!what) return undefined;
  return `environment variable ${name} holds ${what} and cannot be read by a flow; put the value in a sensitive parameter`;
}

/** The process environment without the server's own secrets: what a script allowed to read the environment sees. */
export function flowVisibleEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const visible: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!SERVER_SECRETS.has(name)) visible[name] = value;
  return visible;
}
