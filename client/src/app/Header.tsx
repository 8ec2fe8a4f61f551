import { NavLink, Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, isLanguage, setLanguage } from '../i18n';
import { useSession } from '../api/session';
import { useDisplayPrefs } from './displayPrefs';

export function Header() {
  const { t, i18n } = useTranslation();
  const { account, logout } = useSession();
  const { prefs, toggle } = useDisplayPrefs();
  const navigate = useNavigate();

  const onLogout = async () => {
    await logout();
    void navigate('/login');
  };

  return (
    <header className="header">
      <div className="header__inner">
        <div className="header__row">
          <Link to={account ? '/' : '/login'} className="header__brand">
            {t('app.name')}
            <small>{t('app.tagline')}</small>
          </Link>
          <div className="header__tools">
            <label>
              <span>{t('header.language')}</span>
              <select
                value={i18n.resolvedLanguage ?? i18n.language}
                onChange={(e) => isLanguage(e.target.value) && setLanguage(e.target.value)}
              >
                {LANGUAGES.map((lng) => (
                  <option key={lng} value={lng} lang={lng}>
                    {t(`languages.${lng}`)}
                  </option>
                ))}
              </select>
            </label>
            <div role="group" aria-label={t('header.display')} className="header__toggles">
              <button
                type="button"
                className="toggle"
                aria-pressed={prefs.largeText}
                onClick={() => toggle('largeText')}
              >
                {t('header.largeText')}
              </button>
              <button
                type="button"
                className="toggle"
                aria-pressed={prefs.highContrast}
                onClick={() => toggle('highContrast')}
              >
                {t('header.highContrast')}
              </button>
            </div>
          </div>
        </div>

        {account && (
          <div className="header__row header__row--nav">
            <nav className="header__nav" aria-label={t('header.mainNav')}>
              <ul>
                <li>
                  <NavLink to="/" end>
                    {t('header.myConsultations')}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/consultations/new">{t('header.newConsultation')}</NavLink>
                </li>
                <li>
                  <NavLink to="/reports">{t('header.reports')}</NavLink>
                </li>
              </ul>
            </nav>
            <div className="header__user">
              <span>{t('header.loggedInAs', { name: account.name })}</span>
              <button type="button" className="button" onClick={() => void onLogout()}>
                {t('header.logout')}
              </button>
            </div>
          </div>
        )}
      </div>
    </header>
  );
}
