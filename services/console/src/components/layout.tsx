import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useCurrentSession, useSession } from '../session.js';
import type { Role } from '../types.js';

const NAV: { to: string; label: string; roles: Role[] }[] = [
  { to: '/controls', label: 'Controls', roles: ['auditor', 'admin'] },
  { to: '/coverage', label: 'Coverage', roles: ['auditor', 'operator', 'admin'] },
  { to: '/exports', label: 'Exports', roles: ['auditor', 'admin'] },
  { to: '/flags', label: 'Flags', roles: ['auditor', 'operator', 'admin'] },
  { to: '/connectors', label: 'Connectors', roles: ['operator', 'admin'] },
  { to: '/register', label: 'Control register', roles: ['auditor', 'operator', 'admin'] },
  { to: '/keys', label: 'API keys', roles: ['admin'] },
];

/** The frame of every page after login: skip link, navigation for the key's role, who is logged in, logout. */
export function Layout() {
  const session = useCurrentSession();
  const { logout } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const { key } = session;

  // A route change moves focus to the page, so keyboard and screen-reader users start at its heading.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation on purpose
  useEffect(() => {
    main.current?.focus();
  }, [location.pathname]);

  const scope = key.scope
    ? `${key.scope.from?.slice(0, 10) ?? '…'} to ${key.scope.to?.slice(0, 10) ?? '…'}${key.scope.frameworks ? `, ${key.scope.frameworks.join(', ')}` : ''}`
    : null;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Crosswalk</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => item.roles.includes(key.role)).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {key.name} <span className="role">({key.role})</span>
            {scope ? <span className="scope"> scope: {scope}</span> : null}
          </span>
          <button
            type="button"
            onClick={async () => {
              await logout();
              navigate('/login', { replace: true });
            }}
          >
            Log out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
