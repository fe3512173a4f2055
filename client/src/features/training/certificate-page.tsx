import { certificationApi } from '../../api/certification.ts';
import { useI18n } from '../../i18n/index.tsx';
import { en } from '../../i18n/en.ts';
import { zhCN } from '../../i18n/zh-cn.ts';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import './training.css';

/** A printable certificate, in Chinese and English on one page. */
export function CertificatePage({ id }: { id: string }) {
  const { t } = useI18n();
  const [load, reload] = useLoad((s) => certificationApi.certificate(id, s), [id]);
  const c = load.data;
  if (!c)
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  const name = c.holder ? c.holder.displayName || c.holder.username : c.userId;
  const date = new Date(c.issuedAt);
  const texts = [
    { lang: 'zh-CN', d: zhCN, when: date.toLocaleDateString('zh-CN', { year: 'numeric', month: 'long', day: 'numeric' }) },
    { lang: 'en', d: en, when: date.toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric' }) },
  ] as const;
  const fill = (s: string, params: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
  return (
    <div className="page certificate" data-testid="certificate">
      <p className="certificate__actions">
        <button type="button" className="btn" data-testid="certificate-print" onClick={() => window.print()}>
          {t('certificate.print')}
        </button>
      </p>
      {texts.map(({ lang, d, when }) => (
        <section key={lang} lang={lang} className="certificate__sheet" data-testid={`certificate-${lang}`}>
          <h1>{d['certificate.heading']}</h1>
          <p className="certificate__number">
            {d['certificate.number']} <strong data-testid="certificate-number">{c.number}</strong>
          </p>
          <p className="certificate__body">{fill(d['certificate.body'], { name, level: c.level, next: c.promotedTo ?? c.level })}</p>
          <table className="table">
            <tbody>
              {c.parts.map((p) => (
                <tr key={p.part}>
                  <th>{d[`training.part.${p.part}` as 'training.part.theory']}</th>
                  <td>
                    {p.score} / 100 ({d['training.passMark']} {p.passMark})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {d['certificate.guidelines']} {c.guidelines.map((g) => `${g.slug} ${g.version}`).join(', ')}
          </p>
          <p>
            {d['certificate.examiners']}{' '}
            {(c.examinerNames ?? c.examiners).map((x) => (x === 'system' ? d['certificate.system'] : x)).join(', ')}
          </p>
          <p>
            {d['certificate.date']} {when}
          </p>
        </section>
      ))}
    </div>
  );
}
