import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link of the front door and the reference (README.md, docs/*.md, deploy/README.md) points at
 * something: a file or folder of the repository, and, where it names an anchor in a markdown file, a heading of that
 * file (GitHub's slug). Links to the web are not followed.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCUMENTS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  'deploy/README.md',
];

/** The text outside fenced code blocks, with inline code spans blanked (a link inside code is not a link). */
function prose(markdown: string): string {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const opening = /^\s{0,3}(```+|~~~+)/.exec(line);
    if (opening) {
      const marker = opening[1]!;
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      lines.push('');
      continue;
    }
    lines.push(fence === null ? line : '');
  }
  return lines.join('\n').replace(/`[^`]*`/g, (span) => span.replace(/[^\n]/g, ' '));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (letters, digits, `_`, `-` kept), spaces to `-`. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown file's headings, duplicates numbered as GitHub numbers them (`-1`, `-2`, …). */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const opening = /^\s{0,3}(```+|~~~+)/.exec(line);
    if (opening) {
      const marker = opening[1]!;
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  document: string;
  line: number;
  target: string;
}

/** Inline links and images `[text](target "title")` and reference definitions `[name]: target`. */
function linksOf(document: string): Link[] {
  const text = prose(readFileSync(path.join(ROOT, document), 'utf8'));
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const links: Link[] = [];
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    links.push({ document, line: lineAt(match.index), target: match[1]! });
  }
  for (const match of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) {
    links.push({ document, line: lineAt(match.index), target: match[1]! });
  }
  return links;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** What is wrong with one link, or undefined when it points at something. */
function problemOf(link: Link): string | undefined {
  const [pathPart, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const file = pathPart === '' ? path.join(ROOT, link.document) : path.resolve(path.dirname(path.join(ROOT, link.document)), decodeURIComponent(pathPart));
  if (!file.startsWith(ROOT)) return 'points outside the repository';
  if (!existsSync(file)) return `${path.relative(ROOT, file)} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `#${anchor} on a file that is not markdown`;
  const anchors = anchorsOf(file);
  return anchors.has(decodeURIComponent(anchor).toLowerCase()) ? undefined : `${path.relative(ROOT, file)} has no heading #${anchor}`;
}

describe('links in the docs', () => {
  it('slugs headings as GitHub does', () => {
    expect(slug('Adding a subgraph')).toBe('adding-a-subgraph');
    expect(slug('Deadlines and cards (督办)')).toBe('deadlines-and-cards-督办');
    expect(slug('Idempotency and versions: nothing lost, nothing doubled')).toBe('idempotency-and-versions-nothing-lost-nothing-doubled');
    expect(slug('`@hub/audit`: the audit trail (审计日志)')).toBe('hubaudit-the-audit-trail-审计日志');
    expect(slug('The build and the runtime trees')).toBe('the-build-and-the-runtime-trees');
  });

  it('finds the links there are (so a broken parser cannot pass by seeing none)', () => {
    const readme = linksOf('README.md').filter((l) => !isExternal(l.target));
    expect(readme.length).toBeGreaterThan(10);
    expect(readme.map((l) => l.target)).toContain('docs/configuration.md');
    expect(linksOf('docs/development.md').some((l) => l.target.includes('#'))).toBe(true);
  });

  it('points every relative link and anchor at something', () => {
    const broken: string[] = [];
    for (const document of DOCUMENTS) {
      for (const link of linksOf(document)) {
        if (isExternal(link.target)) continue;
        const problem = problemOf(link);
        if (problem) broken.push(`${link.document}:${link.line}: (${link.target}) ${problem}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('tells a broken link from a sound one', () => {
    expect(problemOf({ document: 'README.md', line: 1, target: 'docs/no-such-page.md' })).toMatch(/does not exist/);
    expect(problemOf({ document: 'README.md', line: 1, target: 'docs/development.md#no-such-heading' })).toMatch(/no heading/);
    expect(problemOf({ document: 'docs/security.md', line: 1, target: '#tokens-in-development' })).toBeUndefined();
    expect(problemOf({ document: 'docs/operations.md', line: 1, target: '../deploy/README.md#what-runs' })).toBeUndefined();
  });
});
