import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessageKey } from '../../api/errors';

export interface Notice {
  ok: boolean;
  text: string;
}

/**
 * One consent action at a time, and a notice of what it did or why it failed, in plain
 * words. `run` resolves to whether the action succeeded.
 */
export function useNoticeAction() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const run = async (action: () => Promise<unknown>, doneText: string): Promise<boolean> => {
    if (busy) return false;
    setBusy(true);
    try {
      await action();
      setNotice({ ok: true, text: doneText });
      return true;
    } catch (err) {
      setNotice({ ok: false, text: t(errorMessageKey(err)) });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, notice, run };
}

/** The notice in a polite live region: a status when it went well, an alert when not. */
export function NoticeRegion({ notice }: { notice: Notice | null }) {
  return (
    <div aria-live="polite">
      {notice && (
        <p
          className={`alert alert--${notice.ok ? 'success' : 'error'}`}
          role={notice.ok ? 'status' : 'alert'}
        >
          {notice.text}
        </p>
      )}
    </div>
  );
}
