import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConsentApi } from './useConsent';
import { NoticeRegion, useNoticeAction } from './notice';

/**
 * Withdrawing consent during the call, always at hand for the patient or guardian: for one
 * named participant's presence (they are removed at once) or for the whole session (it ends
 * for everyone). The whole-session withdrawal asks once more; the other does not, since it
 * can be undone by consenting again.
 */
export function WithdrawConsent({ consent }: { consent: ConsentApi }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const { notice, run } = useNoticeAction();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const current = consent.current;
  const people = consent.data?.consultation.participants ?? [];
  const covered = people.filter((p) => current?.coveredParticipantIds.includes(p.id));

  return (
    <section className="withdraw" aria-labelledby="withdraw-heading">
      <h3 id="withdraw-heading">{t('consent.withdrawTitle')}</h3>
      <NoticeRegion notice={notice} />
      {!current ? (
        <p>{t('consent.noneInForce')}</p>
      ) : (
        <>
          <p>{t('consent.withdrawPersonHint')}</p>
          <ul>
            {covered.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() =>
                    void run(
                      () => consent.withdrawFor(p.id),
                      t('consent.personWithdrawn', { name: p.name }),
                    )
                  }
                >
                  {t('consent.withdrawPerson', { name: p.name, role: t(`roles.${p.role}`) })}
                </button>
              </li>
            ))}
          </ul>
          {!confirming ? (
            <button
              type="button"
              className="button button--danger"
              onClick={() => {
                setConfirming(true);
                requestAnimationFrame(() => confirmRef.current?.focus());
              }}
            >
              {t('consent.withdrawAll')}
            </button>
          ) : (
            <div className="alert alert--warning" role="group" aria-labelledby="withdraw-confirm">
              <p id="withdraw-confirm">{t('consent.withdrawAllConfirm')}</p>
              <div className="page-actions">
                <button
                  ref={confirmRef}
                  type="button"
                  className="button button--danger"
                  onClick={() =>
                    void run(consent.withdrawAll, t('consent.allWithdrawn')).then(() =>
                      setConfirming(false),
                    )
                  }
                >
                  {t('consent.withdrawAllYes')}
                </button>
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() => setConfirming(false)}
                >
                  {t('consent.withdrawAllNo')}
                </button>
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}
