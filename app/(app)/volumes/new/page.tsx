import { requireSession } from "../../../../lib/server/session";
import { AddVolumeForm } from "./AddVolumeForm";

export const dynamic = "force-dynamic";
export const metadata = { title: "Add volume" };

export default async function NewVolumePage() {
  await requireSession();
  return (
    <div className="space-y-3">
      <h1 className="text-xl font-semibold">Add a volume</h1>
      <p className="text-sm text-slate-500">The connection is tested before it is saved: the volume&apos;s setting is read from the metadata engine, then its object storage is checked.</p>
      <AddVolumeForm />
    </div>
  );
}
