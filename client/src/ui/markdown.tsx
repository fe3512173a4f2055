import { useEffect, useRef } from 'react';

/**
 * Guideline Markdown rendered through marked → DOMPurify (the only HTML the client injects).
 * The renderer and sanitizer load on first use.
 */
export function SanitizedMarkdown({
  markdown,
  className,
  lang,
  testId,
}: {
  markdown: string;
  className?: string;
  lang?: string | undefined;
  testId?: string;
}) {
  const body = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = body.current;
    if (!el) return;
    el.innerHTML = '';
    if (!markdown) return;
    let live = true;
    void import('../features/project/guideline-markdown.ts').then(({ renderGuidelineMarkdown }) => {
      if (live) el.innerHTML = renderGuidelineMarkdown(markdown);
    });
    return () => {
      live = false;
    };
  }, [markdown]);
  return <div className={className} ref={body} lang={lang} data-testid={testId} />;
}
