// The step summary as GitHub shows it: markdown rendered as GitHub Flavored Markdown (tables,
// autolinks, raw HTML passed through as GitHub's renderer would before sanitising it), inside a
// page styled like a step summary on github.com. Used by scripts/screenshot-summaries.js and by
// the tests that check the rendered HTML.
import { Marked } from 'marked'

const gfm = new Marked({ gfm: true, breaks: false })

/** The summary's markdown as HTML, as GitHub's GFM renderer would produce it. */
export function renderMarkdown(markdown) {
  return /** @type {string} */ (gfm.parse(markdown, { async: false }))
}

// A subset of GitHub's markdown styles (light theme), with the width of a step summary's column on
// a 1280-pixel-wide screen. Tables keep GitHub's `width: max-content; max-width: 100%`, which is
// what makes the cells of a wide table wrap inside words.
const STYLE = `
body { margin: 0; background: #f6f8fa; }
.summary { box-sizing: border-box; width: 920px; margin: 16px; padding: 16px 24px; background: #fff;
  border: 1px solid #d1d9e0; border-radius: 6px; }
.markdown-body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  font-size: 14px; line-height: 1.5; color: #1f2328; word-wrap: break-word; }
.markdown-body h3 { font-size: 1.25em; font-weight: 600; line-height: 1.25; margin: 0 0 16px; }
.markdown-body p, .markdown-body table { margin: 0 0 16px; }
.markdown-body a { color: #0969da; text-decoration: underline; text-underline-offset: .2rem; }
.markdown-body code { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 85%; padding: .2em .4em; margin: 0; background: rgba(129, 139, 152, .12); border-radius: 6px; white-space: break-spaces; }
.markdown-body table { display: block; width: max-content; max-width: 100%; overflow: auto; border-spacing: 0; border-collapse: collapse; }
.markdown-body th { font-weight: 600; }
.markdown-body th, .markdown-body td { padding: 6px 13px; border: 1px solid #d1d9e0; }
.markdown-body tr { background: #fff; border-top: 1px solid #d1d9e0b3; }
.markdown-body tr:nth-child(2n) { background: #f6f8fa; }
.markdown-body strong { font-weight: 600; }
.label { font: 600 12px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #59636e; margin: 0 0 8px; }
`

/** A page that shows the summary as a step summary on github.com, under a label naming the outcome. */
export function summaryPage(markdown, label = '') {
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(label)}</title><style>${STYLE}</style></head>
<body><div class="summary">${label ? `<p class="label">${escape(label)}</p>` : ''}<div class="markdown-body">
${renderMarkdown(markdown)}</div></div></body></html>`
}
