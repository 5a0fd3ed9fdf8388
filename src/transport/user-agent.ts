/** The User-Agent sent with every request: the action, its version and the workflow run it serves. */
const ACTION_NAME = 'do-reserved-ip-action'
const ACTION_VERSION = '1.0.0'

export function userAgent(env: Record<string, string | undefined>): string {
  const repo = env.GITHUB_REPOSITORY
  const run = env.GITHUB_RUN_ID
  const where = repo ? ` (${repo}${run ? ` run ${run}` : ''})` : ''
  return `${ACTION_NAME}/${ACTION_VERSION}${where}`
}
