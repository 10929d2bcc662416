import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { Layout } from './components/layout.js';
import { homeOf } from './home.js';
import { ConnectorPage } from './pages/connector.js';
import { ConnectorsPage } from './pages/connectors.js';
import { ControlPage } from './pages/control.js';
import { ControlsPage } from './pages/controls.js';
import { CoveragePage } from './pages/coverage.js';
import { EvidencePage } from './pages/evidence.js';
import { ExportPage } from './pages/export.js';
import { ExportsPage } from './pages/exports.js';
import { FlagsPage } from './pages/flags.js';
import { KeysPage } from './pages/keys.js';
import { LoginPage } from './pages/login.js';
import { RegisterPage } from './pages/register.js';
import { SessionProvider, useSession } from './session.js';

function RequireSession() {
  const { session } = useSession();
  const location = useLocation();
  if (session === undefined) return <p className="loading">Checking your session…</p>;
  if (session === null) {
    return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  return <Layout />;
}

function Home() {
  const { session } = useSession();
  return <Navigate to={session ? homeOf(session.key.role) : '/login'} replace />;
}

export function App() {
  return (
    <SessionProvider>
      <BrowserRouter basename="/console">
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route element={<RequireSession />}>
            <Route index element={<Home />} />
            <Route path="/controls" element={<ControlsPage />} />
            <Route path="/controls/:id" element={<ControlPage />} />
            <Route path="/evidence/:id" element={<EvidencePage />} />
            <Route path="/coverage" element={<CoveragePage />} />
            <Route path="/exports" element={<ExportsPage />} />
            <Route path="/exports/:id" element={<ExportPage />} />
            <Route path="/flags" element={<FlagsPage />} />
            <Route path="/connectors" element={<ConnectorsPage />} />
            <Route path="/connectors/:id" element={<ConnectorPage />} />
            <Route path="/register" element={<RegisterPage />} />
            <Route path="/keys" element={<KeysPage />} />
            <Route path="*" element={<p>No such page. Use the navigation above.</p>} />
          </Route>
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  );
}
