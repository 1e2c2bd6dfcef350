/**
 * Who did something: the member, the CLI user, a job or the system. Every audited change (config versions,
 * alert settings, pauses, reruns) records one. Its own module because every layer names actors.
 */
export interface Actor {
  id: string;
  name: string;
  source: 'discord' | 'cli' | 'job' | 'system';
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'system', source: 'system' };
