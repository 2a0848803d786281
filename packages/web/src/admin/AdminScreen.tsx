/** Administration: users, templates, the LIS connection, the quarantine. No PHI here. */
import { Link } from '../ui/Link.tsx';
import { useTitle } from '../router.ts';
import { UsersAdmin } from './UsersAdmin.tsx';
import { TemplatesAdmin } from './TemplatesAdmin.tsx';
import { LisAdmin } from './LisAdmin.tsx';
import { QuarantineAdmin } from './QuarantineAdmin.tsx';

const TABS = [
  { tab: 'users', label: 'Users' },
  { tab: 'templates', label: 'Templates' },
  { tab: 'lis', label: 'LIS connection' },
  { tab: 'quarantine', label: 'Quarantine' },
] as const;

type Tab = (typeof TABS)[number]['tab'];

export function AdminScreen({ tab }: { tab: Tab }) {
  const label = TABS.find((t) => t.tab === tab)?.label ?? 'Administration';
  useTitle(`Administration: ${label}`);
  return (
    <section className="page admin">
      <h1>Administration</h1>
      <nav className="tabs" aria-label="Administration">
        {TABS.map((t) => (
          <Link key={t.tab} to={`/admin/${t.tab}`} aria-current={t.tab === tab ? 'page' : undefined} data-testid={`admin-tab-${t.tab}`}>
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === 'users' && <UsersAdmin />}
      {tab === 'templates' && <TemplatesAdmin />}
      {tab === 'lis' && <LisAdmin />}
      {tab === 'quarantine' && <QuarantineAdmin />}
    </section>
  );
}
