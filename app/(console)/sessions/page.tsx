import { SessionsList } from '../../../components/sessions/SessionsList';

export default function SessionsPage() {
  return (
    <main className="content">
      <SessionsList />
    </main>
  );
}
