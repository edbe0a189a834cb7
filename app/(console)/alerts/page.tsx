import { AlertsView } from '../../../components/alerts/AlertsView';

export default function AlertsPage() {
  return (
    <main className="content">
      <AlertsView />
    </main>
  );
}
