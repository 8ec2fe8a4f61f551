import { useTranslation } from 'react-i18next';
import { TextField } from './form';

type Props = Omit<Parameters<typeof TextField>[0], 'type' | 'inputMode' | 'placeholder'>;

/**
 * A date typed as dd.mm.åååå, in every language and browser. The browser's own date input
 * follows the browser's locale (mm/dd/yyyy in an English Chromium), not the app's.
 */
export function DateField(props: Props) {
  const { t } = useTranslation();
  return (
    <TextField
      {...props}
      type="text"
      inputMode="numeric"
      autoComplete="off"
      placeholder={t('dateInput.datePlaceholder')}
      hint={props.hint ?? t('dateInput.dateHint')}
      maxLength={10}
      size={11}
    />
  );
}

/** A time on the 24-hour clock, tt:mm; never AM/PM. */
export function TimeField(props: Props) {
  const { t } = useTranslation();
  return (
    <TextField
      {...props}
      type="text"
      inputMode="numeric"
      autoComplete="off"
      placeholder={t('dateInput.timePlaceholder')}
      hint={props.hint ?? t('dateInput.timeHint')}
      maxLength={5}
      size={6}
    />
  );
}
