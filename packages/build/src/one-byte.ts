/**
 * A bundle whose every character is ASCII, so V8 keeps its source as a one-byte string for the life of the process
 * instead of a two-byte one. Node 20 held a source of Latin-1 characters (up to U+00FF) as one byte each; Node 24
 * hands V8 a module's source as an external string, one byte a character only when every byte of the file is ASCII:
 * one `¥` or `§` in a comment made the gateway's 10 MB bundle 20 MiB of the process's memory, the launcher's 6 MB 12
 * MiB. esbuild's default `charset: 'ascii'` escapes strings, untagged templates and identifiers, but leaves comments
 * (esbuild keeps them), regular expression literals and tagged templates' raw text as written.
 *
 * `toOneByte` writes every character above U+007F outside a template literal as `\uXXXX` (a pair of them beyond the
 * BMP): in a comment that is only text; in a regular expression literal it matches the same character (with or without
 * the `u` flag, in or out of a character class; its `source` then shows the escape); strings and identifiers, esbuild already escaped. In a template literal
 * it stays as written, since a tagged template's raw text (`String.raw`) would change: the build names such bundles.
 * Lengths on a line change only after a rewritten character, so the source map's lines hold (columns after a
 * rewritten regular expression shift on its line).
 */

/** The last character kept as written: ASCII. */
const LAST = 0x7f;

/** Keywords after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

const isIdentifierPart = (code: number) =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 36 || code === 95 || code > 127;

const escaped = (code: number) => `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;

export interface OneByteResult {
  /** The source with every character above U+007F outside template literals escaped. */
  text: string;
  /** Characters rewritten. */
  rewritten: number;
  /** Characters above U+007F left in template literals (the source stays two-byte while any is left). */
  left: number;
}

export function toOneByte(source: string): OneByteResult {
  // Nothing to do for most inputs: a quick look before the scan.
  if (!/[^\u0000-\u007f]/.test(source)) return { text: source, rewritten: 0, left: 0 };
  const out: string[] = [];
  let from = 0;
  let rewritten = 0;
  let left = 0;
  const n = source.length;
  /** Brace depth at which each open template's `${` began (innermost last). */
  const templates: number[] = [];
  let depth = 0;
  /** Whether a `/` here would start a regular expression (after an operator, a bracket, a keyword or the start). */
  let regexAllowed = true;
  let i = 0;

  const rewrite = (at: number) => {
    out.push(source.slice(from, at), escaped(source.charCodeAt(at)));
    from = at + 1;
    rewritten++;
  };
  /** In a string or a regular expression: a backslash at `at` and what it escapes; `\转` is the character itself. */
  const escape = (at: number) => {
    if (source.charCodeAt(at + 1) > LAST) {
      out.push(source.slice(from, at), escaped(source.charCodeAt(at + 1)));
      from = at + 2;
      rewritten++;
    }
  };
  /** Rewrites every character above U+007F in [start, end). */
  const rewriteRange = (start: number, end: number) => {
    for (let p = start; p < end; p++) if (source.charCodeAt(p) > LAST) rewrite(p);
  };

  /** Scans a template's text from `i` (just after its backtick or a `}` closing a substitution). */
  const templateText = () => {
    while (i < n) {
      const c = source.charCodeAt(i);
      if (c === 92) i += 2; // backslash
      else if (c === 96) {
        i++;
        regexAllowed = false;
        return;
      } else if (c === 36 && source.charCodeAt(i + 1) === 123) {
        i += 2;
        templates.push(depth);
        depth++;
        regexAllowed = true;
        return;
      } else {
        if (c > LAST) left++;
        i++;
      }
    }
  };

  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 47) {
      const next = source.charCodeAt(i + 1);
      if (next === 47) {
        // Line comment.
        let end = source.indexOf('\n', i);
        if (end < 0) end = n;
        rewriteRange(i, end);
        i = end;
        continue;
      }
      if (next === 42) {
        // Block comment.
        let end = source.indexOf('*/', i + 2);
        end = end < 0 ? n : end + 2;
        rewriteRange(i, end);
        i = end;
        continue;
      }
      if (regexAllowed) {
        // A regular expression literal: up to its closing slash, outside a character class, then its flags.
        const start = i;
        i++;
        let inClass = false;
        const mark = out.length;
        const markFrom = from;
        const markRewritten = rewritten;
        while (i < n) {
          const r = source.charCodeAt(i);
          if (r === 92) {
            escape(i);
            i += 2;
          } else if (r === 10) break;
          else {
            if (r === 91) inClass = true;
            else if (r === 93) inClass = false;
            else if (r === 47 && !inClass) break;
            else if (r > LAST) rewrite(i);
            i++;
          }
        }
        if (source.charCodeAt(i) !== 47) {
          // Not a regular expression after all (the line ended first): leave it as it is and go on after the slash.
          out.length = mark;
          from = markFrom;
          rewritten = markRewritten;
          i = start + 1;
          regexAllowed = true;
          continue;
        }
        i++;
        while (i < n && isIdentifierPart(source.charCodeAt(i))) i++;
        regexAllowed = false;
        continue;
      }
      i++;
      regexAllowed = true;
      continue;
    }
    if (c === 39 || c === 34) {
      // A string: esbuild escaped what it held; its end is what matters.
      i++;
      while (i < n) {
        const s = source.charCodeAt(i);
        if (s === 92) {
          escape(i);
          i += 2;
        } else if (s === c || s === 10) {
          i++;
          break;
        } else {
          if (s > LAST) rewrite(i);
          i++;
        }
      }
      regexAllowed = false;
      continue;
    }
    if (c === 96) {
      i++;
      templateText();
      continue;
    }
    if (c === 123) {
      depth++;
      i++;
      regexAllowed = true;
      continue;
    }
    if (c === 125) {
      if (templates.length > 0 && templates[templates.length - 1] === depth - 1) {
        templates.pop();
        depth--;
        i++;
        templateText();
        continue;
      }
      depth--;
      i++;
      // After a block a regular expression may start; after an object literal it would be a division, which esbuild
      // never prints directly after `}`.
      regexAllowed = true;
      continue;
    }
    if (c === 41 || c === 93) {
      i++;
      regexAllowed = false;
      continue;
    }
    if (isIdentifierPart(c)) {
      const start = i;
      while (i < n && isIdentifierPart(source.charCodeAt(i))) i++;
      const first = source.charCodeAt(start);
      regexAllowed = i - start >= 2 && i - start <= 10 && first >= 97 && first <= 121 && BEFORE_REGEX.has(source.slice(start, i));
      // esbuild escapes identifiers; a character above U+007F here would be in one it could not (none known).
      rewriteRange(start, i);
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c > LAST) rewrite(i);
    // Any other punctuation (operators, `(`, `,`, `;`, `:`, `?`, `=`…): an expression may follow.
    i++;
    regexAllowed = true;
  }
  out.push(source.slice(from));
  return { text: out.join(''), rewritten, left };
}
