import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_CHAT_LENGTH, type ChatMessage } from '@samkons/shared';
import { formatTime } from '../../i18n/format';
import { errorMessageKey } from '../../api/errors';

/** Messages in the session (kept in server memory only, gone when the session ends). */
export function ChatPanel(props: {
  messages: readonly ChatMessage[];
  selfId: string | null;
  onSend: (text: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [props.messages.length]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = text.trim();
    if (!value) return;
    try {
      await props.onSend(value);
      setText('');
      setError(null);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="chat">
      <p className="chat__note">{t('call.chatNote')}</p>
      {props.messages.length === 0 ? (
        <p>{t('call.chatEmpty')}</p>
      ) : (
        <ol className="chat__list" ref={listRef} tabIndex={0} aria-label={t('call.chat')}>
          {props.messages.map((m) => (
            <li
              key={m.id}
              className={
                m.fromParticipantId === props.selfId ? 'chat__msg chat__msg--self' : 'chat__msg'
              }
            >
              <span className="chat__from">
                {m.fromDisplayName}
                {m.fromRole ? `, ${t(`roles.${m.fromRole}`)}` : ''}{' '}
                <time dateTime={m.sentAt}>{formatTime(m.sentAt)}</time>
              </span>
              <span className="chat__text">{m.text}</span>
            </li>
          ))}
        </ol>
      )}
      {error !== null && (
        <p className="alert alert--error" role="alert">
          {t(errorMessageKey(error))}
        </p>
      )}
      <form className="chat__form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="chat-input">{t('call.chatLabel')}</label>
        <textarea
          id="chat-input"
          rows={2}
          maxLength={MAX_CHAT_LENGTH}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <button type="submit" className="button">
          {t('call.chatSend')}
        </button>
      </form>
    </div>
  );
}
