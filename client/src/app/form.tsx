import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

/** DOM id for a field id such as `participants.0.email`. */
export const domId = (fieldId: string) => `f-${fieldId.replace(/\./g, '-')}`;

interface FieldShellProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: (aria: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}

/** Label, hint and error wired to the control with ids, so screen readers read all three. */
export function FieldShell({ id, label, hint, error, children }: FieldShellProps) {
  const dom = domId(id);
  const describedBy = [hint && `${dom}-hint`, error && `${dom}-error`].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={dom}>{label}</label>
      {hint && (
        <span id={`${dom}-hint`} className="field__hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${dom}-error`} className="field__error">
          {error}
        </span>
      )}
      {children({
        id: dom,
        'aria-invalid': Boolean(error),
        'aria-describedby': describedBy || undefined,
      })}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'value'> & {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  value: string;
  onValue: (value: string) => void;
};

export function TextField({ id, label, hint, error, value, onValue, ...rest }: InputProps) {
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      {(aria) => (
        <input {...rest} {...aria} value={value} onChange={(e) => onValue(e.target.value)} />
      )}
    </FieldShell>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id' | 'onChange' | 'value'> & {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  value: string;
  onValue: (value: string) => void;
  options: readonly { value: string; label: string }[];
  placeholder?: string;
};

export function SelectField({
  id,
  label,
  hint,
  error,
  value,
  onValue,
  options,
  placeholder,
  ...rest
}: SelectProps) {
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      {(aria) => (
        <select {...rest} {...aria} value={value} onChange={(e) => onValue(e.target.value)}>
          {placeholder !== undefined && (
            <option value="" disabled>
              {placeholder}
            </option>
          )}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}
