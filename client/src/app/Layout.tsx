import { useEffect, useRef } from 'react';
import { Outlet, useLocation, useNavigation } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Header } from './Header';
import './layout.css';

export function Layout() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const shown = useRef(pathname);
  // Pages are fetched when entered: on a slow line, show that the next one is on its way.
  const loadingNext = useNavigation().state === 'loading';

  // After client-side navigation, move focus to the new page so screen readers announce it
  // and keyboard users start from the top of the content. Not on the first load, and
  // idempotent (StrictMode runs effects twice).
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    const heading = mainRef.current?.querySelector<HTMLElement>('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    } else {
      mainRef.current?.focus();
    }
  }, [pathname]);

  return (
    <>
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <Header />
      {loadingNext && <div className="route-progress" aria-hidden="true" />}
      <main id="main" ref={mainRef} tabIndex={-1} className="main" aria-busy={loadingNext}>
        <Outlet />
      </main>
    </>
  );
}
