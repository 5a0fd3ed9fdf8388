// The action's own requests go through node-fetch. @actions/http-client imports undici's
// ProxyAgent (used only for OIDC token requests) and @actions/github imports its fetch (used only
// by Octokit clients); this action uses neither, and loading undici costs about 80 ms of start-up.
const unavailable = (what) =>
  class {
    constructor() {
      throw new Error(`${what} from undici is not bundled with this action`)
    }
  }

export const ProxyAgent = unavailable('ProxyAgent')
export const Agent = unavailable('Agent')
export async function fetch() {
  throw new Error('fetch from undici is not bundled with this action')
}
