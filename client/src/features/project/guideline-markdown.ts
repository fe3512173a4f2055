import DOMPurify from 'dompurify';
import { marked } from 'marked';

/** Markdown → HTML → sanitized HTML. The only HTML the client ever injects into the page. */
export function renderGuidelineMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
}
