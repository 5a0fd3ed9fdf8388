/**
 * The README's pinning command prints the commit a release tag points at, for an annotated tag (the
 * peeled `^{}` line, not the tag object) and a lightweight one (no `^{}` line) alike; the examples
 * give the same command; every pin of this action names the version package.json has.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const REPO_URL = 'https://github.com/your-org/do-reserved-ip-action'
const readme = readFileSync('README.md', 'utf8')
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

/** The README's shell block that holds `git ls-remote`. */
function pinningCommand(): string {
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('git ls-remote'))
  if (block === undefined) throw new Error('README.md has no sh block with git ls-remote')
  return block.trim()
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Release',
      GIT_AUTHOR_EMAIL: 'release@example.com',
      GIT_COMMITTER_NAME: 'Release',
      GIT_COMMITTER_EMAIL: 'release@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null'
    }
  }).trim()

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pinning-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * A repository with two commits, the release tag on the first (so that the newest commit is not the
 * answer by chance) and a later tag whose name starts the same. Returns its path and the release commit.
 */
function repoWithTag(name: string, annotated: boolean): { path: string; commit: string } {
  const path = join(dir, name)
  execFileSync('git', ['init', '-q', path])
  git(path, 'commit', '-q', '--allow-empty', '-m', 'release')
  const commit = git(path, 'rev-parse', 'HEAD')
  if (annotated) git(path, 'tag', '-a', `v${version}`, '-m', `v${version}`)
  else git(path, 'tag', `v${version}`)
  git(path, 'commit', '-q', '--allow-empty', '-m', 'later')
  git(path, 'tag', '-a', `v${version}-rc.1`, '-m', 'later')
  return { path, commit }
}

/** Runs the README's command with the repository URL replaced by a local path. */
const run = (path: string): string =>
  execFileSync('bash', ['-o', 'pipefail', '-c', pinningCommand().split(REPO_URL).join(path)], {
    encoding: 'utf8'
  }).trim()

describe("the README's pinning command", () => {
  it(`names the release package.json has (v${version}) and the repository placeholder`, () => {
    expect(pinningCommand()).toContain(`${REPO_URL} refs/tags/v${version} 'refs/tags/v${version}^{}'`)
  })

  it('prints the commit of an annotated tag, not the tag object', () => {
    const { path, commit } = repoWithTag('annotated', true)
    const tagObject = git(path, 'rev-parse', `v${version}`)
    expect(tagObject).not.toBe(commit)
    expect(run(path)).toBe(commit)
  })

  it('prints the commit of a lightweight tag', () => {
    const { path, commit } = repoWithTag('lightweight', false)
    expect(run(path)).toBe(commit)
  })

  it('prints nothing, and fails, when the tag does not exist', () => {
    const path = join(dir, 'untagged')
    execFileSync('git', ['init', '-q', path])
    git(path, 'commit', '-q', '--allow-empty', '-m', 'no release')
    // git ls-remote finds no ref: the pipe prints an empty line at most, never a commit.
    let printed = ''
    try {
      printed = run(path)
    } catch {
      printed = ''
    }
    expect(printed).toBe('')
  })

  it('is the command the examples give, and every pin names this release', () => {
    const lines = pinningCommand()
      .split('\n')
      .map((l) => l.trim())
    for (const file of ['examples/blue-green-deploy.yml', 'examples/nightly-cleanup.yml', 'SECURITY.md', 'README.md']) {
      const text = readFileSync(file, 'utf8')
      if (file.startsWith('examples/')) {
        const comment = text
          .split('\n')
          .map((l) => l.replace(/^#\s*/, '').trim())
          .join('\n')
        for (const line of lines) expect([file, comment.includes(line)]).toEqual([file, true])
      }
      const pins = [...text.matchAll(/do-reserved-ip-action@[0-9a-f]{40} # (v\S+)/g)].map((m) => m[1])
      expect(pins.length).toBeGreaterThan(0)
      expect(new Set(pins)).toEqual(new Set([`v${version}`]))
    }
  })
})
