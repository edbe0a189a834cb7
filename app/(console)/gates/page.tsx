import { GatesView } from '../../../components/gates/GatesView';

export default function GatesPage() {
  return (
    <main className="content">
      <GatesView />
    </main>
  );
}
